/* diag: findings (file:line:col: severity: [rule] message) collected and printed
 * as text, JSON or SARIF, the one output format all tools share. */
#ifndef TODO_DIAG_H
#define TODO_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_severity;
typedef enum { DIAG_FORMAT_TEXT, DIAG_FORMAT_JSON, DIAG_FORMAT_SARIF } diag_format;

typedef struct diag {
    char *file;          /* owned; "-" for stdin */
    unsigned line, col;  /* 1-based; 0 = unknown */
    diag_severity severity;
    char *rule;          /* owned, e.g. "duplicated-key" */
    char *message;       /* owned; must never contain a secret value */
    char *object;        /* owned, optional (kubelint: "Kind/namespace/name") */
} diag;

typedef struct diag_list {
    diag *items;
    size_t len, cap;
    size_t errors, warnings;
    int oom;             /* a finding (or a check) was lost for lack of memory: the list is
                          * incomplete, so the tool fails (exit 2), never reports fewer */
} diag_list;

/* Describes one rule for SARIF output (rules[] with descriptions and help). */
typedef struct diag_rule_info {
    const char *id;
    const char *description;
    const char *help;
    diag_severity severity;
} diag_rule_info;

void diag_list_init(diag_list *list);
void diag_list_free(diag_list *list);
/* Appends a finding; message is printf-formatted. Returns 0, or -1 when out of memory
 * (list->oom is then set). */
int diag_add(diag_list *list, const char *file, unsigned line, unsigned col,
             diag_severity severity, const char *rule, const char *object,
             const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* Sorts findings by file, line, column (stable for equal positions). */
void diag_list_sort(diag_list *list);

const char *diag_severity_name(diag_severity severity);
/* Parses "text", "json" or "sarif"; returns -1 for anything else. */
int diag_format_parse(const char *name, diag_format *out);

/* text: one "file:line:col: severity: [rule] message (object)" line. */
void diag_print_text(FILE *out, const diag *d);
/* Prints the whole list in the given format. For SARIF, rules/nrules describe the
 * rules and tool_name/tool_version name the driver; other formats ignore them. */
void diag_list_print(FILE *out, const diag_list *list, diag_format format,
                     const char *tool_name, const char *tool_version,
                     const diag_rule_info *rules, size_t nrules);

#endif
