/* report: the rule table (ids, severities, descriptions for SARIF), the run context and
 * the one place a finding is filtered (disabled, ignored, capped), recorded and printed.
 * Every other module reports through it; it calls none of them. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kubelint.h"

#define E DIAG_ERROR
#define W DIAG_WARNING
const diag_rule_info kubelint_rules[KL_NRULES] = {
    [KL_YAML_SYNTAX] = {"yaml-syntax", "The document is not valid YAML (or breaks a size, depth or alias limit).", "Fix the YAML at the position shown; other documents are still linted.", E},
    [KL_MISSING_FIELD] = {"missing-field", "The object lacks apiVersion, kind or metadata.name.", "Every Kubernetes object needs apiVersion, kind and metadata.name.", E},
    [KL_DEPRECATED_API] = {"deprecated-api", "The apiVersion is deprecated or removed for this kind.", "Use the stable API group (apps/v1, policy/v1, autoscaling/v2, networking.k8s.io/v1, batch/v1).", E},
    [KL_LATEST_TAG] = {"latest-tag", "A container image uses the :latest tag or no tag.", "Pin the image to a version tag or a digest.", E},
    [KL_UNSET_CPU] = {"unset-cpu-requirements", "A container has no CPU request.", "Set resources.requests.cpu.", E},
    [KL_UNSET_MEMORY] = {"unset-memory-requirements", "A container has no memory request or limit.", "Set resources.requests.memory and resources.limits.memory.", E},
    [KL_NO_LIVENESS] = {"no-liveness-probe", "A long-running container has no liveness probe (Jobs and run-to-completion Pods are exempt).", "Add a livenessProbe so the kubelet restarts a hung container.", W},
    [KL_NO_READINESS] = {"no-readiness-probe", "A long-running container has no readiness probe (Jobs and run-to-completion Pods are exempt).", "Add a readinessProbe so traffic only reaches ready pods.", E},
    [KL_LIVENESS_PORT] = {"liveness-port", "The liveness probe targets a port the container does not expose.", "Point the probe at a containerPort (number or name).", E},
    [KL_READINESS_PORT] = {"readiness-port", "The readiness probe targets a port the container does not expose.", "Point the probe at a containerPort (number or name).", E},
    [KL_RUN_AS_NON_ROOT] = {"run-as-non-root", "A container may run as root (neither runAsNonRoot: true nor a non-zero runAsUser).", "Set securityContext.runAsNonRoot: true (pod or container) and a non-zero runAsUser.", E},
    [KL_NO_RO_ROOT_FS] = {"no-read-only-root-fs", "A container's root filesystem is writable.", "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where writes are needed.", E},
    [KL_PRIV_ESCALATION] = {"privilege-escalation-container", "A container allows privilege escalation.", "Set securityContext.allowPrivilegeEscalation: false; do not add SYS_ADMIN.", E},
    [KL_PRIVILEGED] = {"privileged-container", "A container runs privileged.", "Remove securityContext.privileged: true.", E},
    [KL_DROP_ALL] = {"drop-all-capabilities", "A container does not drop ALL capabilities.", "Set securityContext.capabilities.drop: [ALL] and add back only what is needed.", E},
    [KL_NO_SECCOMP] = {"no-seccomp-profile", "Neither the pod nor the container sets a RuntimeDefault or Localhost seccomp profile.", "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.", W},
    [KL_DUP_ENV] = {"duplicate-env-var", "A container sets the same environment variable twice.", "Remove the duplicate; only the last one takes effect.", E},
    [KL_ENV_SECRET] = {"env-var-secret", "A secret-looking environment variable has a literal value.", "Use valueFrom.secretKeyRef instead of a literal value.", E},
    [KL_HOST_NETWORK] = {"host-network", "The pod uses the host network.", "Remove hostNetwork: true.", E},
    [KL_HOST_PID] = {"host-pid", "The pod shares the host PID namespace.", "Remove hostPID: true.", E},
    [KL_HOST_IPC] = {"host-ipc", "The pod shares the host IPC namespace.", "Remove hostIPC: true.", E},
    [KL_SENSITIVE_MOUNTS] = {"sensitive-host-mounts", "The pod mounts a sensitive host path (/, /etc, /proc, /sys, the container runtime socket...).", "Do not mount host system directories or runtime sockets.", E},
    [KL_AUTOMOUNT_SA] = {"automount-service-account-token", "The pod mounts a service account token although nothing in the input grants it API access.", "Set automountServiceAccountToken: false on the pod or its ServiceAccount.", W},
    [KL_MISMATCH_SELECTOR] = {"mismatching-selector", "The workload selector does not match its pod template labels.", "Make spec.selector match spec.template.metadata.labels.", E},
    [KL_DANGLING_SERVICE] = {"dangling-service", "The Service selector matches no pod template in the input.", "Fix the selector or the pod labels.", E},
    [KL_INVALID_TARGET_PORTS] = {"invalid-target-ports", "A Service targetPort is not a containerPort of the pods it selects.", "Use a containerPort number or name of the selected pods.", E},
    [KL_DANGLING_INGRESS] = {"dangling-ingress", "An Ingress backend names a Service or port that is not in the input.", "Point the backend at an existing Service and one of its ports.", E},
    [KL_DANGLING_HPA] = {"dangling-hpa", "The HorizontalPodAutoscaler scaleTargetRef is not in the input.", "Point scaleTargetRef at an existing workload.", E},
    [KL_DANGLING_PDB] = {"dangling-pdb", "The PodDisruptionBudget selector matches no pod template in the input.", "Fix the selector or the pod labels.", E},
    [KL_PDB_MIN_AVAILABLE] = {"pdb-min-available", "The PodDisruptionBudget can never allow a voluntary disruption given the replicas.", "Lower minAvailable (or raise replicas), or set maxUnavailable above 0.", E},
    [KL_DUP_OBJECT] = {"duplicate-object", "The same group/kind/namespace/name is defined twice.", "Remove or rename one of the objects.", E},
    [KL_NO_ANTI_AFFINITY] = {"no-anti-affinity", "A workload with more than one replica has neither podAntiAffinity nor topologySpreadConstraints.", "Spread replicas with topologySpreadConstraints or podAntiAffinity.", W},
    [KL_NONEXISTENT_SA] = {"non-existent-service-account", "The pod uses a ServiceAccount the input does not define.", "Define the ServiceAccount or fix serviceAccountName.", E},
    [KL_PSS_RESTRICTED] = {"pss-restricted", "A Pod Security Standards 'restricted' requirement is violated.", "See https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted.", E},
    [KL_IGNORE_NO_REASON] = {"ignore-without-reason", "An ignore annotation gives no reason.", "Write why the check does not apply as the annotation value.", W},
};
#undef E
#undef W

int kubelint_rule_find(const char *id, size_t len)
{
    for (int i = 0; i < KL_NRULES; i++)
        if (strlen(kubelint_rules[i].id) == len && !memcmp(kubelint_rules[i].id, id, len))
            return i;
    return -1;
}

int kubelint_rule_mask(const char *list, uint64_t *mask, char *bad, size_t bad_size)
{
    *mask = 0;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (*p == ' ')) {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ')
            len--;
        if (len) {
            int r = kubelint_rule_find(p, len);
            if (r < 0) {
                if (bad && bad_size)
                    snprintf(bad, bad_size, "%.*s", (int)(len < 60 ? len : 60), p);
                return -1;
            }
            *mask |= UINT64_C(1) << r;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

void kubelint_ctx_init(kl_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    diag_list_init(&ctx->diags);
    ctx->enabled = (UINT64_C(1) << KL_NRULES) - 1;
    ctx->max_findings = 100000;
}

void kubelint_ctx_free(kl_ctx *ctx)
{
    diag_list_free(&ctx->diags);
    for (size_t i = 0; i < ctx->nfiles; i++)
        free(ctx->files[i]);
    free(ctx->files);
    memset(ctx, 0, sizeof *ctx);
}

int kubelint_add_file(kl_ctx *ctx, const char *name, unsigned *id)
{
    if (ctx->nfiles == ctx->files_cap) {
        size_t cap = ctx->files_cap ? ctx->files_cap * 2 : 16;
        char **f = realloc(ctx->files, cap * sizeof *f);
        if (!f) {
            ctx->oom = 1;
            return -1;
        }
        ctx->files = f;
        ctx->files_cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) {
        ctx->oom = 1;
        return -1;
    }
    ctx->files[ctx->nfiles] = copy;
    *id = (unsigned)ctx->nfiles++;
    return 0;
}

static void vreport(kl_ctx *ctx, kl_rule rule, unsigned file, unsigned line, unsigned col,
                    const char *object, uint64_t ignored, const char *fmt, va_list ap)
{
    uint64_t bit = UINT64_C(1) << rule;
    if (!(ctx->enabled & bit) || (ignored & bit))
        return;
    diag_severity sev = kubelint_rules[rule].severity;
    if (ctx->diags.len >= ctx->max_findings) {
        ctx->dropped++;
        if (sev == DIAG_ERROR)
            ctx->dropped_errors++;
        else
            ctx->dropped_warnings++;
        return;
    }
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    const char *fname = file < ctx->nfiles ? ctx->files[file] : "-";
    if (diag_add(&ctx->diags, fname, line, col, sev, kubelint_rules[rule].id,
                 object && *object ? object : NULL, "%s", msg) < 0)
        ctx->oom = 1;
}

void kubelint_report(kl_ctx *ctx, kl_rule rule, unsigned file, unsigned line, unsigned col,
                     const char *object, uint64_t ignored, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ctx, rule, file, line, col, object, ignored, fmt, ap);
    va_end(ap);
}

void kubelint_report_node(kl_ctx *ctx, const kl_object *o, kl_rule rule, const ynode *n,
                          const char *fmt, ...)
{
    if (!n)
        n = o->root;
    va_list ap;
    va_start(ap, fmt);
    vreport(ctx, rule, o->file, n ? n->line : 1, n ? n->col : 1, o->label, o->ignored, fmt, ap);
    va_end(ap);
}

int kubelint_status(kl_ctx *ctx, int strict)
{
    diag_list_sort(&ctx->diags);
    size_t errors = ctx->diags.errors + ctx->dropped_errors;
    size_t warnings = ctx->diags.warnings + ctx->dropped_warnings;
    return errors || (strict && warnings) ? 1 : 0;
}

void kubelint_print(kl_ctx *ctx, FILE *out, diag_format format)
{
    diag_list_print(out, &ctx->diags, format, "kubelint", TOOLS_VERSION, kubelint_rules,
                    KL_NRULES);
    if (format == DIAG_FORMAT_TEXT) {
        size_t errors = ctx->diags.errors + ctx->dropped_errors;
        size_t warnings = ctx->diags.warnings + ctx->dropped_warnings;
        fprintf(out, "kubelint: %zu error%s, %zu warning%s in %zu object%s (%zu file%s)", errors,
                errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s", ctx->objects,
                ctx->objects == 1 ? "" : "s", ctx->nfiles, ctx->nfiles == 1 ? "" : "s");
        if (ctx->dropped)
            fprintf(out, "; %zu more findings not shown", ctx->dropped);
        fputc('\n', out);
    } else if (ctx->dropped) {
        fprintf(stderr, "kubelint: %zu more findings not shown\n", ctx->dropped);
    }
}
