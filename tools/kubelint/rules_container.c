/* rules_container: the per-container rules (image, resources, probes, security context,
 * environment) and the container parts of pss-restricted. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kubelint.h"

/* Container securityContext field, falling back to the pod's (the effective value). */
static const ynode *effective(const ynode *csc, const ynode *psc, const char *path)
{
    const ynode *n = ynode_path(csc, path);
    return n ? n : ynode_path(psc, path);
}

static int is_true(const ynode *n)
{
    int b;
    return ynode_bool(n, &b) == 0 && b;
}

static int is_false(const ynode *n)
{
    int b;
    return ynode_bool(n, &b) == 0 && !b;
}

static const char *cname(const ynode *c)
{
    const char *n = ynode_map_str(c, "name");
    return *n ? n : "?";
}

static void image_rule(kl_ctx *ctx, const kl_object *o, const ynode *c)
{
    const ynode *img = ynode_map_get(c, "image");
    const char *s = ynode_str(img);
    if (!s || !*s) {
        kubelint_report_node(ctx, o, KL_MISSING_FIELD, c, "container \"%.60s\" has no image", cname(c));
        return;
    }
    if (strchr(s, '@'))
        return; /* pinned by digest */
    const char *slash = strrchr(s, '/');
    const char *colon = strrchr(slash ? slash : s, ':');
    if (!colon)
        kubelint_report_node(ctx, o, KL_LATEST_TAG, img,
                             "container \"%.60s\" image \"%.100s\" has no tag (means :latest)", cname(c), s);
    else if (!strcmp(colon + 1, "latest"))
        kubelint_report_node(ctx, o, KL_LATEST_TAG, img,
                             "container \"%.60s\" image \"%.100s\" uses the latest tag", cname(c), s);
}

/* True for a set, non-zero quantity. */
static int quantity_set(const ynode *n)
{
    const char *s = ynode_str(n);
    if (!s || !*s)
        return 0;
    for (const char *p = s; *p; p++)
        if (*p != '0' && *p != '.' && !isalpha((unsigned char)*p))
            return 1;
    return 0;
}

static void resource_rules(kl_ctx *ctx, const kl_object *o, const ynode *c)
{
    const ynode *res = ynode_map_get(c, "resources");
    if (!quantity_set(ynode_path(res, "requests.cpu")))
        kubelint_report_node(ctx, o, KL_UNSET_CPU, res ? res : c,
                             "container \"%.60s\" has no CPU request", cname(c));
    int req = quantity_set(ynode_path(res, "requests.memory"));
    int lim = quantity_set(ynode_path(res, "limits.memory"));
    if (!req || !lim)
        kubelint_report_node(ctx, o, KL_UNSET_MEMORY, res ? res : c,
                             "container \"%.60s\" has no memory %s", cname(c),
                             !req && !lim ? "request or limit" : !req ? "request" : "limit");
}

/* True when port (number or name node) is one of the container's ports. */
static int port_exposed(const ynode *c, const ynode *port)
{
    const ynode *ports = ynode_map_get(c, "ports");
    if (!ports || ports->kind != YNODE_SEQ)
        return 0;
    long long num;
    int is_num = ynode_int(port, &num) == 0;
    const char *name = ynode_str(port);
    for (size_t i = 0; i < ports->len; i++) {
        const ynode *p = ports->children[i];
        long long cp;
        if (is_num && ynode_int(ynode_map_get(p, "containerPort"), &cp) == 0 && cp == num)
            return 1;
        if (!is_num && name && !strcmp(ynode_map_str(p, "name"), name))
            return 1;
    }
    return 0;
}

static void probe_rules(kl_ctx *ctx, const kl_object *o, const kl_pod *pod, const ynode *c)
{
    static const char *const handlers[] = {"httpGet", "tcpSocket", "grpc"};
    for (int which = 0; which < 2; which++) {
        const char *field = which ? "readinessProbe" : "livenessProbe";
        const ynode *probe = ynode_map_get(c, field);
        if (!probe || ynode_is_null(probe)) {
            if (pod->is_job)
                continue; /* runs to completion: nothing to restart or route traffic to */
            kubelint_report_node(ctx, o, which ? KL_NO_READINESS : KL_NO_LIVENESS, c,
                                 "container \"%.60s\" has no %s", cname(c), field);
            continue;
        }
        for (size_t h = 0; h < 3; h++) {
            const ynode *port = ynode_path(ynode_map_get(probe, handlers[h]), "port");
            if (port && port->kind == YNODE_SCALAR && !port_exposed(c, port))
                kubelint_report_node(ctx, o, which ? KL_READINESS_PORT : KL_LIVENESS_PORT, port,
                                     "container \"%.60s\" %s port %.60s is not a port of the container",
                                     cname(c), field, port->value);
        }
    }
}

static int sc_list_has(const ynode *seq, const char *value)
{
    if (!seq || seq->kind != YNODE_SEQ)
        return 0;
    for (size_t i = 0; i < seq->len; i++) {
        const char *s = ynode_str(seq->children[i]);
        if (s && (!strcasecmp(s, value)))
            return 1;
    }
    return 0;
}

static void security_rules(kl_ctx *ctx, const kl_object *o, const kl_pod *pod, const ynode *c)
{
    const ynode *csc = ynode_map_get(c, "securityContext");
    const ynode *psc = ynode_map_get(pod->spec, "securityContext");
    const ynode *nonroot = effective(csc, psc, "runAsNonRoot");
    const ynode *user = effective(csc, psc, "runAsUser");
    long long uid = -1;
    int has_uid = ynode_int(user, &uid) == 0;
    if (!is_true(nonroot) && !(has_uid && uid > 0))
        kubelint_report_node(ctx, o, KL_RUN_AS_NON_ROOT, is_false(nonroot) ? nonroot : c,
                             "container \"%.60s\" may run as root: set runAsNonRoot: true", cname(c));
    const ynode *cuser = ynode_map_get(csc, "runAsUser");
    long long cuid;
    if (ynode_int(cuser, &cuid) == 0 && cuid == 0)
        kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, cuser,
                             "container \"%.60s\" runs as user 0 (runAsUser must not be 0)", cname(c));
    const ynode *ro = ynode_map_get(csc, "readOnlyRootFilesystem");
    if (!is_true(ro))
        kubelint_report_node(ctx, o, KL_NO_RO_ROOT_FS, ro ? ro : c,
                             "container \"%.60s\" does not set readOnlyRootFilesystem: true", cname(c));
    const ynode *priv = ynode_map_get(csc, "privileged");
    if (is_true(priv))
        kubelint_report_node(ctx, o, KL_PRIVILEGED, priv, "container \"%.60s\" is privileged", cname(c));
    const ynode *ape = ynode_map_get(csc, "allowPrivilegeEscalation");
    const ynode *add = ynode_path(csc, "capabilities.add");
    if (is_true(ape))
        kubelint_report_node(ctx, o, KL_PRIV_ESCALATION, ape,
                             "container \"%.60s\" sets allowPrivilegeEscalation: true", cname(c));
    else if (is_true(priv))
        kubelint_report_node(ctx, o, KL_PRIV_ESCALATION, priv,
                             "container \"%.60s\" is privileged, which allows privilege escalation", cname(c));
    else if (sc_list_has(add, "SYS_ADMIN") || sc_list_has(add, "CAP_SYS_ADMIN"))
        kubelint_report_node(ctx, o, KL_PRIV_ESCALATION, add,
                             "container \"%.60s\" adds SYS_ADMIN, which allows privilege escalation", cname(c));
    else if (!is_false(ape))
        kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, csc ? csc : c,
                             "container \"%.60s\" must set allowPrivilegeEscalation: false", cname(c));
    const ynode *drop = ynode_path(csc, "capabilities.drop");
    if (!sc_list_has(drop, "ALL"))
        kubelint_report_node(ctx, o, KL_DROP_ALL, drop ? drop : csc ? csc : c,
                             "container \"%.60s\" does not drop ALL capabilities", cname(c));
    if (add && add->kind == YNODE_SEQ)
        for (size_t i = 0; i < add->len; i++) {
            const char *cap = ynode_str(add->children[i]);
            if (cap && strcasecmp(cap, "NET_BIND_SERVICE") && strcasecmp(cap, "CAP_NET_BIND_SERVICE") &&
                strcasecmp(cap, "SYS_ADMIN") && strcasecmp(cap, "CAP_SYS_ADMIN"))
                kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, add->children[i],
                                     "container \"%.60s\" adds capability %.40s (only NET_BIND_SERVICE is allowed)",
                                     cname(c), cap);
        }
    const char *seccomp = ynode_str(effective(csc, psc, "seccompProfile.type"));
    if (!seccomp || (strcmp(seccomp, "RuntimeDefault") && strcmp(seccomp, "Localhost")))
        kubelint_report_node(ctx, o, KL_NO_SECCOMP, ynode_path(csc, "seccompProfile.type") ? ynode_path(csc, "seccompProfile.type") : c,
                             "container \"%.60s\" has no RuntimeDefault or Localhost seccomp profile (pod or container)",
                             cname(c));
    const ynode *pm = ynode_map_get(csc, "procMount");
    if (ynode_str(pm) && strcmp(pm->value, "Default"))
        kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, pm,
                             "container \"%.60s\" sets procMount %.40s (must be Default)", cname(c), pm->value);
    const ynode *selinux = ynode_path(csc, "seLinuxOptions");
    if (selinux) {
        const char *t = ynode_map_str(selinux, "type");
        if (*t && strcmp(t, "container_t") && strcmp(t, "container_init_t") &&
            strcmp(t, "container_kvm_t") && strcmp(t, "container_engine_t"))
            kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, ynode_map_get(selinux, "type"),
                                 "container \"%.60s\" sets SELinux type %.40s", cname(c), t);
        if (ynode_map_get(selinux, "user") || ynode_map_get(selinux, "role"))
            kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, selinux,
                                 "container \"%.60s\" sets an SELinux user or role", cname(c));
    }
    const ynode *aa = ynode_path(csc, "appArmorProfile.type");
    if (ynode_str(aa) && !strcmp(aa->value, "Unconfined"))
        kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, aa,
                             "container \"%.60s\" sets AppArmor profile Unconfined", cname(c));
    if (is_true(ynode_path(csc, "windowsOptions.hostProcess")))
        kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, ynode_path(csc, "windowsOptions.hostProcess"),
                             "container \"%.60s\" is a Windows host process", cname(c));
    const ynode *ports = ynode_map_get(c, "ports");
    if (ports && ports->kind == YNODE_SEQ)
        for (size_t i = 0; i < ports->len; i++) {
            const ynode *hp = ynode_map_get(ports->children[i], "hostPort");
            long long v;
            if (hp && ynode_int(hp, &v) == 0 && v != 0)
                kubelint_report_node(ctx, o, KL_PSS_RESTRICTED, hp,
                                     "container \"%.60s\" uses hostPort %lld", cname(c), v);
        }
}

/* True for names that usually hold a secret (PASSWORD, SECRET, TOKEN, API_KEY...),
 * except those naming where the secret is (..._FILE, ..._PATH). */
static int secret_name(const char *name)
{
    static const char *const words[] = {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY",
                                        "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"};
    char up[128];
    size_t n = 0;
    for (; name[n] && n + 1 < sizeof up; n++)
        up[n] = (char)toupper((unsigned char)(name[n] == '-' ? '_' : name[n]));
    up[n] = '\0';
    if ((n > 5 && !strcmp(up + n - 5, "_FILE")) || (n > 5 && !strcmp(up + n - 5, "_PATH")) ||
        (n > 4 && !strcmp(up + n - 4, "_DIR")))
        return 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(up, words[i]))
            return 1;
    return 0;
}

/* True for "scheme://user:password@host" (credentials in a URL). */
static int url_with_credentials(const char *v)
{
    const char *p = strstr(v, "://");
    if (!p)
        return 0;
    p += 3;
    const char *end = p + strcspn(p, "/?#");
    const char *at = memchr(p, '@', (size_t)(end - p));
    if (!at)
        return 0;
    const char *colon = memchr(p, ':', (size_t)(at - p));
    if (!colon || colon + 1 >= at)
        return 0;
    /* "$(POSTGRES_PASSWORD)" is Kubernetes' reference to another variable, not a literal */
    const char *pw = colon + 1;
    return !(at - pw >= 3 && pw[0] == '$' && pw[1] == '(' && at[-1] == ')');
}

static void env_rules(kl_ctx *ctx, const kl_object *o, const ynode *c)
{
    const ynode *env = ynode_map_get(c, "env");
    if (!env || env->kind != YNODE_SEQ)
        return;
    for (size_t i = 0; i < env->len; i++) {
        const ynode *e = env->children[i];
        const ynode *nn = ynode_map_get(e, "name");
        const char *name = ynode_str(nn);
        if (!name)
            continue;
        for (size_t j = 0; j < i && i < 4096; j++)
            if (!strcmp(ynode_map_str(env->children[j], "name"), name)) {
                kubelint_report_node(ctx, o, KL_DUP_ENV, nn,
                                     "container \"%.60s\" sets %.80s twice (first on line %u)",
                                     cname(c), name, env->children[j]->line);
                break;
            }
        const ynode *vn = ynode_map_get(e, "value");
        const char *v = ynode_str(vn);
        if (v && *v && (secret_name(name) || url_with_credentials(v)))
            kubelint_report_node(ctx, o, KL_ENV_SECRET, vn,
                                 "container \"%.60s\" sets %.80s to a literal %s; use valueFrom.secretKeyRef",
                                 cname(c), name, secret_name(name) ? "value" : "URL with credentials");
    }
}

void kubelint_rules_containers(kl_ctx *ctx, const kl_object *o, const kl_pod *pod)
{
    for (int init = 0; init < 2; init++) {
        const ynode *list = ynode_map_get(pod->spec, init ? "initContainers" : "containers");
        if (!init && (!list || list->kind != YNODE_SEQ || !list->len)) {
            kubelint_report_node(ctx, o, KL_MISSING_FIELD, list ? list : pod->spec,
                                 "pod spec has no containers");
            continue;
        }
        if (!list || list->kind != YNODE_SEQ)
            continue;
        for (size_t i = 0; i < list->len; i++) {
            const ynode *c = list->children[i];
            if (c->kind != YNODE_MAP)
                continue;
            image_rule(ctx, o, c);
            resource_rules(ctx, o, c);
            if (!init)
                probe_rules(ctx, o, pod, c);
            security_rules(ctx, o, pod, c);
            env_rules(ctx, o, c);
        }
    }
}
