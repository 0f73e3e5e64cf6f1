/* ignore: the annotations that switch rules off for one object.
 *   ignore-check.kube-linter.io/<rule>: "reason"   (kube-linter, unchanged)
 *   kube-linter.io/ignore-all: "reason"            (kube-linter, unchanged)
 *   kubelint.io/ignore: "rule,rule; reason"         (kubelint)
 * An ignore without reason text still applies, and is itself a warning. */
#include <string.h>

#include "kubelint.h"

#define KL_ALL_RULES ((UINT64_C(1) << KL_NRULES) - 1)

/* True when s has some non-blank text. */
static int has_reason(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 1;
    return 0;
}

void kubelint_ignores(kl_ctx *ctx, kl_object *o)
{
    const ynode *ann = ynode_path(o->root, "metadata.annotations");
    if (!ann || ann->kind != YNODE_MAP)
        return;
    static const char kl_prefix[] = "ignore-check.kube-linter.io/";
    uint64_t ignored = 0;
    for (size_t i = 0; i < ann->len; i++) {
        const ynode *kn = ann->children[2 * i], *vn = ann->children[2 * i + 1];
        const char *key = ynode_str(kn);
        const char *val = ynode_str(vn);
        if (!key)
            continue;
        const char *reason = ynode_is_null(vn) ? NULL : val;
        if (!strncmp(key, kl_prefix, sizeof kl_prefix - 1)) {
            const char *id = key + sizeof kl_prefix - 1;
            int r = kubelint_rule_find(id, strlen(id));
            if (r >= 0)
                ignored |= UINT64_C(1) << r;
        } else if (!strcmp(key, "kube-linter.io/ignore-all")) {
            ignored |= KL_ALL_RULES & ~(UINT64_C(1) << KL_IGNORE_NO_REASON);
        } else if (!strcmp(key, "kubelint.io/ignore")) {
            if (!val)
                continue;
            const char *semi = strchr(val, ';');
            size_t list_len = semi ? (size_t)(semi - val) : strlen(val);
            reason = semi ? semi + 1 : NULL;
            const char *p = val;
            while (p < val + list_len) {
                const char *end = memchr(p, ',', (size_t)(val + list_len - p));
                size_t n = end ? (size_t)(end - p) : (size_t)(val + list_len - p);
                const char *q = p;
                size_t m = n;
                while (m && (*q == ' ' || *q == '\t')) {
                    q++;
                    m--;
                }
                while (m && (q[m - 1] == ' ' || q[m - 1] == '\t'))
                    m--;
                if (m) {
                    int r = kubelint_rule_find(q, m);
                    if (r >= 0)
                        ignored |= UINT64_C(1) << r;
                    else
                        kubelint_report(ctx, KL_IGNORE_NO_REASON, o->file, vn->line, vn->col,
                                        o->label, o->ignored,
                                        "kubelint.io/ignore names an unknown rule '%.*s'",
                                        (int)(m < 60 ? m : 60), q);
                }
                p += n + 1;
            }
        } else {
            continue;
        }
        if (!has_reason(reason))
            kubelint_report(ctx, KL_IGNORE_NO_REASON, o->file, kn->line, kn->col, o->label,
                            o->ignored, "ignore annotation %.100s gives no reason", key);
    }
    o->ignored = ignored;
}
