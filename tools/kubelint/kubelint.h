/* kubelint: the linter's modules and the order main calls them in:
 *   1. input.c reads each path into documents (regular files only, bounded);
 *   2. object.c lints each document (ignore.c, rules_container.c, rules_pod.c) and adds
 *      what the cross-object rules need to the index (index.c);
 *   3. rules_cross.c runs the rules that need every object;
 *   4. report.c sorts, decides the exit status and prints.
 * report.c is the leaf: every module reports through it, it calls none of them. */
#ifndef TODO_KUBELINT_H
#define TODO_KUBELINT_H

#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "yamldoc.h"

/* Rule ids, in the order of the rule table (report.c). */
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
    int oom;                  /* memory ran out somewhere: the lint is incomplete, so
                               * main reports nothing and exits 2 */
    uint64_t enabled;         /* bit per kl_rule */
    diag_list diags;
    size_t max_findings;      /* findings kept in diags; beyond, only counted */
    size_t dropped, dropped_errors, dropped_warnings;
    char **files;             /* every input name, index = file id */
    size_t nfiles, files_cap;
    size_t documents, objects;
    kl_index *index;          /* main's (kubelint_index_new); report.c never touches it */
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

/* ---- report.c: context, findings, exit status, output ---- */
void kubelint_ctx_init(kl_ctx *ctx);
void kubelint_ctx_free(kl_ctx *ctx);
/* Registers an input name: 0 and its id in *id, or -1 when out of memory (ctx->oom). */
int kubelint_add_file(kl_ctx *ctx, const char *name, unsigned *id);
/* Records a finding unless the rule is disabled or ignored by obj (obj may be NULL). */
void kubelint_report(kl_ctx *ctx, kl_rule rule, unsigned file, unsigned line, unsigned col,
                     const char *object, uint64_t ignored, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
/* Same, positioned at node n (or the object's root when n is NULL). */
void kubelint_report_node(kl_ctx *ctx, const kl_object *o, kl_rule rule, const ynode *n,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Parses "a,b,c" into a rule mask; -1 for an unknown id (copied into bad). */
int kubelint_rule_mask(const char *list, uint64_t *mask, char *bad, size_t bad_size);
/* Sorts the findings; returns the exit status for them (0, or 1 with errors, or with
 * warnings when strict). */
int kubelint_status(kl_ctx *ctx, int strict);
/* Prints findings and (text format) the total line. */
void kubelint_print(kl_ctx *ctx, FILE *out, diag_format format);

/* ---- input.c: paths, directories, stdin, splitting streams into documents ---- */
/* Lints one path: "-" (stdin), a regular file, or a directory (every *.yaml / *.yml file
 * under it; symbolic links to files are read, to directories not followed). A special
 * file, a broken link, a file over KL_MAX_FILE_BYTES or a directory without manifests is
 * an error naming it. Returns 0, or -1 (ctx->io_error or ctx->oom set). */
int kubelint_input_path(kl_ctx *ctx, const char *path);
/* Lints a stream already open (name is used in findings). */
int kubelint_input_stream(kl_ctx *ctx, FILE *f, const char *name);

/* ---- object.c: one parsed document ---- */
void kubelint_lint_document(kl_ctx *ctx, unsigned file, const ynode *root);

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

/* ---- index.c ---- */
/* NULL when out of memory. */
kl_index *kubelint_index_new(void);
void kubelint_index_free(kl_index *ix);
/* Adds what the cross-object rules need from an object (and reports duplicates); out of
 * memory sets ctx->oom. */
void kubelint_index_object(kl_ctx *ctx, const kl_object *o, const kl_pod *pod);

/* ---- rules_cross.c ---- */
/* The rules over the whole index, once every input is read. */
void kubelint_rules_cross(kl_ctx *ctx);

#endif
