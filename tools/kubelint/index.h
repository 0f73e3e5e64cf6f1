/* index: what the cross-object rules need from each object, nothing more (labels,
 * ports, selectors, references, positions), plus hash maps to find objects by name. */
#ifndef TODO_KUBELINT_INDEX_H
#define TODO_KUBELINT_INDEX_H

#include <stddef.h>
#include <stdalign.h>
#include <stdint.h>

#include "kubelint.h"

/* Who an indexed object is, for findings about it. */
typedef struct kl_ref {
    unsigned file;
    const char *kind, *ns, *name;  /* in the index's string pool */
    uint64_t ignored;
} kl_ref;

/* A port: number (or -1) and/or name. */
typedef struct kl_port {
    long long num;
    char *name;
    long long target_num;   /* Service: targetPort number, or -1 */
    char *target_name;      /* Service: targetPort name, or NULL */
    unsigned line, col;
} kl_port;

/* One selector requirement: key op values (matchLabels k: v is "k In (v)"). */
typedef enum { KL_SEL_IN, KL_SEL_NOTIN, KL_SEL_EXISTS, KL_SEL_NOTEXISTS } kl_sel_op;
typedef struct kl_req {
    char *key;
    kl_sel_op op;
    char **values;
    size_t nvalues;
} kl_req;
typedef struct kl_selector {
    kl_req *reqs;
    size_t n;
    unsigned line, col;
} kl_selector;

typedef struct kl_workload {
    kl_ref ref;
    unsigned line, col;        /* the object */
    char **labels;             /* pod template labels: key, value, key, value... */
    size_t nlabels;            /* pairs */
    kl_port *ports;            /* containerPorts of every container */
    size_t nports;
    char *sa;                  /* serviceAccountName, or NULL */
    unsigned sa_line, sa_col;
    int automount;             /* pod automountServiceAccountToken: -1 unset, 0, 1 */
    unsigned spec_line, spec_col;
    long long replicas;
} kl_workload;

typedef struct kl_service {
    kl_ref ref;
    kl_selector sel;           /* equality only */
    kl_port *ports;
    size_t nports;
} kl_service;

typedef struct kl_backend {
    char *service;
    long long port_num;        /* -1 when named */
    char *port_name;
    unsigned line, col;
} kl_backend;

typedef struct kl_ingress {
    kl_ref ref;
    kl_backend *backends;
    size_t n;
} kl_ingress;

typedef struct kl_hpa {
    kl_ref ref;
    char *target_kind, *target_name;
    long long min_replicas;    /* spec.minReplicas (default 1) */
    unsigned line, col;
} kl_hpa;

typedef struct kl_pdb {
    kl_ref ref;
    kl_selector sel;
    char *min_available, *max_unavailable;  /* as written ("2", "50%"), or NULL */
    unsigned min_line, min_col, max_line, max_col;
} kl_pdb;

/* string -> ids (chained hash map, grows) */
typedef struct kl_hentry {
    struct kl_hentry *next;
    uint32_t id;
    char key[];
} kl_hentry;
typedef struct kl_hmap {
    kl_hentry **b;
    size_t nb, n;
} kl_hmap;

/* duplicate-object: 64-bit key hashes with where each was first seen */
typedef struct kl_dupslot {
    uint64_t h;
    unsigned file, line;
} kl_dupslot;

/* strings and small arrays of the index, freed all at once */
typedef struct kl_pool_chunk {
    struct kl_pool_chunk *next;
    size_t used, size;
    max_align_t data[];
} kl_pool_chunk;

struct kl_index {
    int oom;                 /* an allocation failed: the index is incomplete */
    kl_pool_chunk *pool;
    const char *last_ns;     /* namespaces repeat: the last one is reused, not copied */
    kl_workload *w;  size_t nw, cw;
    kl_service *s;   size_t ns, cs;
    kl_ingress *ing; size_t ni, ci;
    kl_hpa *hpa;     size_t nh, ch;
    kl_pdb *pdb;     size_t np, cp;
    kl_hmap w_by_label;      /* "ns\x1fkey\x1fvalue" -> workload */
    kl_hmap w_by_name;       /* "ns\x1fkind\x1fname" -> workload */
    kl_hmap s_by_name;       /* "ns\x1fname" -> service */
    kl_hmap hpa_by_target;   /* "ns\x1fkind\x1fname" -> HPA scaling that workload */
    kl_hmap sa_by_name;      /* "ns\x1fname" -> 1 (token automount on) or 0 (off) */
    kl_hmap sa_bound;        /* "ns\x1fname" -> ServiceAccounts a RoleBinding grants API access */
    size_t nsa;              /* ServiceAccounts defined */
    kl_dupslot *dup;
    size_t ndup, cdup;
};

/* "Kind/namespace/name" (or "Kind/name") of an indexed object, written into buf. */
const char *kubelint_ref_label(const kl_ref *r, char *buf, size_t size);
/* Looks key up; returns the first entry (walk ->next comparing keys), or NULL. */
const kl_hentry *kubelint_hmap_get(const kl_hmap *m, const char *key);
/* Key of parts joined by 0x1f into buf (truncated to size). */
const char *kubelint_key(char *buf, size_t size, const char *a, const char *b, const char *c);
/* True when labels (key, value pairs) satisfy sel. */
int kubelint_selector_matches(const kl_selector *sel, char *const *labels, size_t nlabels);

#endif
