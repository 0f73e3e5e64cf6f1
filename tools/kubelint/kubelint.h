/* kubelint: shared types of the linter's modules (rule table, run context, object
 * identity, the cross-object index). */
#ifndef TODO_KUBELINT_H
#define TODO_KUBELINT_H

#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "yamldoc.h"

/* Rule ids, in the order of the rule table (rules.c). */
typedef enum {
    KL_YAML_SYNTAX,
    KL_MISSING_FIELD,
    KL_DEPRECATED_API,
    KL_LATEST_TAG,
    KL_UNSET_CPU,
    KL_UNSET_MEMORY,
    KL_NO_LIVENESS,
    KL_NO_READINESS,
    KL_LIVENESS_PORT,
    KL_READINESS_PORT,
    KL_RUN_AS_NON_ROOT,
    KL_NO_RO_ROOT_FS,
    KL_PRIV_ESCALATION,
    KL_PRIVILEGED,
    KL_DROP_ALL,
    KL_NO_SECCOMP,
    KL_DUP_ENV,
    KL_ENV_SECRET,
    KL_HOST_NETWORK,
    KL_HOST_PID,
    KL_HOST_IPC,
    KL_SENSITIVE_MOUNTS,
    KL_AUTOMOUNT_SA,
    KL_MISMATCH_SELECTOR,
    KL_DANGLING_SERVICE,
    KL_INVALID_TARGET_PORTS,
    KL_DANGLING_INGRESS,
    KL_DANGLING_HPA,
    KL_DANGLING_PDB,
    KL_PDB_MIN_AVAILABLE,
    KL_DUP_OBJECT,
    KL_NO_ANTI_AFFINITY,
    KL_NONEXISTENT_SA,
    KL_PSS_RESTRICTED,
    KL_IGNORE_NO_REASON,
    KL_NRULES
} kl_rule;

extern const diag_rule_info kubelint_rules[KL_NRULES];
/* Rule id -> enum, or -1. */
int kubelint_rule_find(const char *id, size_t len);

typedef struct kl_index kl_index;

/* One run: options, findings, the index and the files seen. */
typedef struct kl_ctx {
    uint64_t enabled;         /* bit per kl_rule */
    diag_list diags;
    size_t max_findings;      /* findings kept in diags; beyond, only counted */
    size_t dropped, dropped_errors, dropped_warnings;
    char **files;             /* every input name, index = file id */
    size_t nfiles, files_cap;
    size_t documents, objects;
    kl_index *index;
    int io_error;             /* an input could not be read (exit 2) */
} kl_ctx;

/* The object being linted: identity, where it is, which rules it ignores. */
typedef struct kl_object {
    unsigned file;
    const ynode *root;
    const char *kind, *api, *ns, *name;  /* "" when absent */
    char label[320];                     /* "Kind/namespace/name" or "Kind/name" */
    uint64_t ignored;                    /* bit per rule */
} kl_object;

/* ---- kubelint.c: context and reporting ---- */
int kubelint_ctx_init(kl_ctx *ctx);
void kubelint_ctx_free(kl_ctx *ctx);
/* Registers an input name and returns its id. */
unsigned kubelint_add_file(kl_ctx *ctx, const char *name);
/* Records a finding unless the rule is disabled or ignored by obj (obj may be NULL). */
void kubelint_report(kl_ctx *ctx, kl_rule rule, unsigned file, unsigned line, unsigned col,
                     const char *object, uint64_t ignored, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
/* Same, positioned at node n (or the object's root when n is NULL). */
void kubelint_report_node(kl_ctx *ctx, const kl_object *o, kl_rule rule, const ynode *n,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Parses "a,b,c" into a rule mask; -1 for an unknown id (copied into bad). */
int kubelint_rule_mask(const char *list, uint64_t *mask, char *bad, size_t bad_size);
/* Runs the cross-object checks, sorts the findings; returns the exit status (0 or 1). */
int kubelint_finish(kl_ctx *ctx, int strict);
/* Prints findings and (text format) the total line. */
void kubelint_print(kl_ctx *ctx, FILE *out, diag_format format);

/* ---- input.c: paths, directories, stdin, splitting streams into documents ---- */
/* Lints one path ("-" = stdin, a directory = every *.yaml / *.yml under it).
 * Returns 0, or -1 when something could not be read (also sets ctx->io_error). */
int kubelint_input_path(kl_ctx *ctx, const char *path);
/* Lints a stream already open (name is used in findings). */
int kubelint_input_stream(kl_ctx *ctx, FILE *f, const char *name);

/* ---- object.c: one parsed document ---- */
void kubelint_lint_document(kl_ctx *ctx, unsigned file, const ynode *root);
/* Text of a scalar child, or "" when absent / not a scalar. */
const char *kubelint_str(const ynode *map, const char *key);

/* ---- ignore.c ---- */
/* Reads the ignore annotations of an object into o->ignored (reports ignores without a
 * reason). */
void kubelint_ignores(kl_ctx *ctx, kl_object *o);

/* ---- rules_container.c / rules_pod.c ---- */
typedef struct kl_pod {
    const ynode *spec;        /* pod spec map */
    const ynode *meta;        /* pod template metadata (may be NULL) */
    int is_job;               /* Job, CronJob: no readiness probe needed */
} kl_pod;
void kubelint_rules_containers(kl_ctx *ctx, const kl_object *o, const kl_pod *pod);
void kubelint_rules_pod(kl_ctx *ctx, const kl_object *o, const kl_pod *pod);

/* ---- index.c / rules_cross.c ---- */
kl_index *kubelint_index_new(void);
void kubelint_index_free(kl_index *ix);
/* Adds what the cross-object rules need from an object (and reports duplicates). */
void kubelint_index_object(kl_ctx *ctx, const kl_object *o, const kl_pod *pod);
void kubelint_rules_cross(kl_ctx *ctx);

#endif
