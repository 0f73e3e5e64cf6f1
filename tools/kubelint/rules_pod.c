/* rules_pod: the pod-level rules (host namespaces, host mounts) and the pod parts of
 * pss-restricted (volume types, sysctls, AppArmor annotations, pod SELinux). */
#include <string.h>

#include "kubelint.h"

static int is_true(const ynode *n)
{
    int b;
    return ynode_bool(n, &b) == 0 && b;
}

/* True for host paths whose mount gives the pod control of the node. */
static int sensitive_path(const char *p)
{
    static const char *const paths[] = {
        "/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/usr", "/lib", "/bin", "/sbin",
        "/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd", "/run/containerd",
        "/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock", "/run/crio/crio.sock", "/var/lib/kubelet", "/var/lib/docker",
        "/var/lib/containerd", "/etc/kubernetes", "/var/run", "/run"};
    char buf[256];
    size_t n = strlen(p);
    if (!n || n >= sizeof buf)
        return 0;
    memcpy(buf, p, n + 1);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (!strcmp(buf, paths[i]))
            return 1;
    return 0;
}

static int safe_sysctl(const char *name)
{
    static const char *const safe[] = {
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes"};
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
        if (!strcmp(name, safe[i]))
            return 1;
    return 0;
}

static void volume_rules(kl_ctx *ctx, const kl_object *o, const ynode *volumes)
{
    static const char *const allowed[] = {"configMap", "csi", "downwardAPI", "emptyDir",
                                          "ephemeral", "persistentVolumeClaim", "projected",
                                          "secret"};
    if (!volumes || volumes->kind != YNODE_SEQ)
        return;
    for (size_t i = 0; i < volumes->len; i++) {
        const ynode *v = volumes->children[i];
        if (v->kind != YNODE_MAP)
            continue;
        const char *vname = ynode_map_str(v, "name");
        const ynode *hp = ynode_map_get(v, "hostPath");
        const char *path = ynode_str(ynode_map_get(hp, "path"));
        int sensitive = hp && path && sensitive_path(path);
        if (sensitive)
            kubelint_report_node(ctx, o, KL_SENSITIVE_MOUNTS, ynode_map_get(hp, "path"),
                                 "volume \"%.60s\" mounts the host path %.100s", vname, path);
        for (size_t k = 0; k < v->len; k++) {
            const char *key = ynode_str(v->children[2 * k]);
            if (!key || !strcmp(key, "name") || (sensitive && !strcmp(key, "hostPath")))
                continue;
            int ok = 0;
            for (size_t a = 0; a < sizeof allowed / sizeof allowed[0]; a++)
                if (!strcmp(key, allowed[a]))
                    ok = 1;
            if (!ok)
                kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, v->children[2 * k],
                                     "volume \"%.60s\" has type %.40s (restricted allows configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret)",
                                     vname, key);
        }
    }
}

void kubelint_rules_pod(kl_ctx *ctx, const kl_object *o, const kl_pod *pod)
{
    static const struct {
        const char *field;
        kl_rule rule;
    } host[] = {{"hostNetwork", KL_HOST_NETWORK}, {"hostPID", KL_HOST_PID}, {"hostIPC", KL_HOST_IPC}};
    for (size_t i = 0; i < 3; i++) {
        const ynode *n = ynode_map_get(pod->spec, host[i].field);
        if (is_true(n))
            kubelint_report_node(ctx, o, host[i].rule, n, "pod sets %s: true", host[i].field);
    }
    volume_rules(ctx, o, ynode_map_get(pod->spec, "volumes"));
    const ynode *psc = ynode_map_get(pod->spec, "securityContext");
    const ynode *sysctls = ynode_map_get(psc, "sysctls");
    if (sysctls && sysctls->kind == YNODE_SEQ)
        for (size_t i = 0; i < sysctls->len; i++) {
            const char *name = ynode_map_str(sysctls->children[i], "name");
            if (!safe_sysctl(name))
                kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, sysctls->children[i],
                                     "pod sets the unsafe sysctl %.80s", name);
        }
    const ynode *selinux = ynode_map_get(psc, "seLinuxOptions");
    if (selinux) {
        const char *t = ynode_map_str(selinux, "type");
        if (*t && strcmp(t, "container_t") && strcmp(t, "container_init_t") &&
            strcmp(t, "container_kvm_t") && strcmp(t, "container_engine_t"))
            kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, ynode_map_get(selinux, "type"),
                                 "pod sets SELinux type %.40s", t);
        if (ynode_map_get(selinux, "user") || ynode_map_get(selinux, "role"))
            kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, selinux, "pod sets an SELinux user or role");
    }
    const ynode *aa = ynode_path(psc, "appArmorProfile.type");
    if (ynode_str(aa) && !strcmp(aa->value, "Unconfined"))
        kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, aa, "pod sets AppArmor profile Unconfined");
    const ynode *ann = ynode_map_get(pod->meta, "annotations");
    static const char aa_prefix[] = "container.apparmor.security.beta.kubernetes.io/";
    if (ann && ann->kind == YNODE_MAP)
        for (size_t i = 0; i < ann->len; i++) {
            const char *k = ynode_str(ann->children[2 * i]);
            const char *v = ynode_str(ann->children[2 * i + 1]);
            if (k && v && !strncmp(k, aa_prefix, sizeof aa_prefix - 1) &&
                strcmp(v, "runtime/default") && strncmp(v, "localhost/", 10))
                kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, ann->children[2 * i + 1],
                                     "AppArmor profile %.60s is not runtime/default or localhost/*", v);
        }
    const ynode *user = ynode_map_get(psc, "runAsUser");
    long long uid;
    if (ynode_int(user, &uid) == 0 && uid == 0)
        kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, user, "pod runs as user 0 (runAsUser must not be 0)");
    if (is_true(ynode_path(psc, "windowsOptions.hostProcess")))
        kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, ynode_path(psc, "windowsOptions.hostProcess"),
                             "pod is a Windows host process");
}
