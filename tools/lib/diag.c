/* diag: the findings list every tool fills and prints in text, JSON or SARIF. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

void diag_list_init(diag_list *list)
{
    memset(list, 0, sizeof *list);
}

void diag_list_free(diag_list *list)
{
    for (size_t i = 0; i < list->len; i++) {
        free(list->items[i].file);
        free(list->items[i].rule);
        free(list->items[i].message);
        free(list->items[i].object);
    }
    free(list->items);
    diag_list_init(list);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int diag_add(diag_list *list, const char *file, unsigned line, unsigned col,
             diag_severity severity, const char *rule, const char *object,
             const char *fmt, ...)
{
    if (list->len == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        diag *items = realloc(list->items, cap * sizeof *items);
        if (!items) {
            list->oom = 1;
            return -1;
        }
        list->items = items;
        list->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *message = NULL;
    int n = vasprintf(&message, fmt, ap);
    va_end(ap);
    if (n < 0) {
        list->oom = 1;
        return -1;
    }
    diag *d = &list->items[list->len];
    d->file = dup_or_null(file ? file : "-");
    d->line = line;
    d->col = col;
    d->severity = severity;
    d->rule = dup_or_null(rule ? rule : "");
    d->message = message;
    d->object = dup_or_null(object);
    if (!d->file || !d->rule || (object && !d->object)) {
        free(d->file);
        free(d->rule);
        free(d->message);
        free(d->object);
        list->oom = 1;
        return -1;
    }
    list->len++;
    if (severity == DIAG_ERROR)
        list->errors++;
    else if (severity == DIAG_WARNING)
        list->warnings++;
    return 0;
}

static int diag_compare(const void *a, const void *b)
{
    const diag *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    /* equal positions keep insertion order: compare addresses within the array */
    return x < y ? -1 : (x > y);
}

void diag_list_sort(diag_list *list)
{
    if (list->len > 1)
        qsort(list->items, list->len, sizeof *list->items, diag_compare);
}

const char *diag_severity_name(diag_severity severity)
{
    switch (severity) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    default: return "note";
    }
}

int diag_format_parse(const char *name, diag_format *out)
{
    if (!strcmp(name, "text"))
        *out = DIAG_FORMAT_TEXT;
    else if (!strcmp(name, "json"))
        *out = DIAG_FORMAT_JSON;
    else if (!strcmp(name, "sarif"))
        *out = DIAG_FORMAT_SARIF;
    else
        return -1;
    return 0;
}

void diag_print_text(FILE *out, const diag *d)
{
    fprintf(out, "%s:%u:%u: %s: [%s] %s", d->file, d->line, d->col,
            diag_severity_name(d->severity), d->rule, d->message);
    if (d->object)
        fprintf(out, " (%s)", d->object);
    fputc('\n', out);
}

static void print_json(FILE *out, const diag_list *list)
{
    fputs("[", out);
    for (size_t i = 0; i < list->len; i++) {
        const diag *d = &list->items[i];
        fputs(i ? ",\n  {" : "\n  {", out);
        fputs("\"file\": ", out);
        jsonw_string(out, d->file);
        fprintf(out, ", \"line\": %u, \"column\": %u, \"severity\": \"%s\", \"rule\": ",
                d->line, d->col, diag_severity_name(d->severity));
        jsonw_string(out, d->rule);
        fputs(", \"object\": ", out);
        if (d->object)
            jsonw_string(out, d->object);
        else
            fputs("null", out);
        fputs(", \"message\": ", out);
        jsonw_string(out, d->message);
        fputs("}", out);
    }
    fputs(list->len ? "\n]\n" : "]\n", out);
}

static const char *sarif_level(diag_severity s)
{
    return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "note";
}

static void print_sarif(FILE *out, const diag_list *list, const char *tool_name,
                        const char *tool_version, const diag_rule_info *rules, size_t nrules)
{
    fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
          "  \"version\": \"2.1.0\",\n  \"runs\": [{\n    \"tool\": {\"driver\": {\"name\": ", out);
    jsonw_string(out, tool_name ? tool_name : "tool");
    fputs(", \"version\": ", out);
    jsonw_string(out, tool_version ? tool_version : "0");
    fputs(", \"informationUri\": \"https://github.com/\", \"rules\": [", out);
    for (size_t i = 0; i < nrules; i++) {
        fputs(i ? ",\n      {\"id\": " : "\n      {\"id\": ", out);
        jsonw_string(out, rules[i].id);
        fputs(", \"shortDescription\": {\"text\": ", out);
        jsonw_string(out, rules[i].description);
        fputs("}, \"fullDescription\": {\"text\": ", out);
        jsonw_string(out, rules[i].description);
        fputs("}, \"help\": {\"text\": ", out);
        jsonw_string(out, rules[i].help ? rules[i].help : rules[i].description);
        fprintf(out, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}",
                sarif_level(rules[i].severity));
    }
    fputs("]}},\n    \"results\": [", out);
    for (size_t i = 0; i < list->len; i++) {
        const diag *d = &list->items[i];
        fputs(i ? ",\n      {\"ruleId\": " : "\n      {\"ruleId\": ", out);
        jsonw_string(out, d->rule);
        for (size_t r = 0; r < nrules; r++)
            if (!strcmp(rules[r].id, d->rule)) {
                fprintf(out, ", \"ruleIndex\": %zu", r);
                break;
            }
        fprintf(out, ", \"level\": \"%s\", \"message\": {\"text\": ", sarif_level(d->severity));
        if (d->object) {
            char *text = NULL;
            if (asprintf(&text, "%s (%s)", d->message, d->object) >= 0) {
                jsonw_string(out, text);
                free(text);
            } else {
                jsonw_string(out, d->message);
            }
        } else {
            jsonw_string(out, d->message);
        }
        fputs("}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", out);
        jsonw_string(out, d->file);
        fprintf(out, "}, \"region\": {\"startLine\": %u, \"startColumn\": %u}}}]}",
                d->line ? d->line : 1, d->col ? d->col : 1);
    }
    fputs("]\n  }]\n}\n", out);
}

void diag_list_print(FILE *out, const diag_list *list, diag_format format,
                     const char *tool_name, const char *tool_version,
                     const diag_rule_info *rules, size_t nrules)
{
    switch (format) {
    case DIAG_FORMAT_TEXT:
        for (size_t i = 0; i < list->len; i++)
            diag_print_text(out, &list->items[i]);
        break;
    case DIAG_FORMAT_JSON:
        print_json(out, list);
        break;
    case DIAG_FORMAT_SARIF:
        print_sarif(out, list, tool_name, tool_version, rules, nrules);
        break;
    }
}
