/* envschema: env.schema.yaml, what each variable may hold (type, range, required or
 * required-when, secret, default, description), the size limits of a .env file, and the
 * checks of one value against it. */
#ifndef TODO_ENVSCHEMA_H
#define TODO_ENVSCHEMA_H

#include <regex.h>
#include <stddef.h>

#include "dotenv.h"
#include "secret.h"

typedef enum {
    ENVT_STRING, ENVT_INT, ENVT_PORT, ENVT_BOOL, ENVT_ENUM, ENVT_URL, ENVT_EMAIL,
    ENVT_REGEX, ENVT_SECRET
} envschema_type;

typedef struct envschema_var {
    char *name;
    envschema_type type;
    char *description;
    int required;
    char *when_var;          /* required_when: {VAR: value or [values]} */
    char **when_values;
    size_t nwhen;
    int secret;              /* never printed; type secret implies it */
    char *def;               /* default, or NULL */
    long long min, max;      /* int: range (defaults: LLONG_MIN..LLONG_MAX) */
    char **values;           /* enum: allowed values */
    size_t nvalues;
    char **schemes;          /* url: allowed schemes (none = any) */
    size_t nschemes;
    char *pattern;           /* regex (POSIX ERE, also allowed on string) */
    regex_t re;
    int has_re;
    size_t min_length;       /* secret/string: minimum characters */
    double min_entropy;      /* secret: minimum estimated bits */
    int generate;            /* secretgen fill may create it (default yes for type secret) */
    size_t gen_bytes;        /* random bytes to generate (default 32) */
    secret_encoding gen_encoding; /* default base64url */
    unsigned line, col;      /* where it is declared */
} envschema_var;

typedef struct envschema {
    envschema_var *vars;
    size_t len;
    char *path;
    dotenv_limits limits;    /* `limits:` (sizes of a .env), the defaults where unset */
} envschema;

/* Loads and checks a schema. -1 with "FILE:LINE:COL: what is wrong" in err. */
int envschema_load_path(envschema *s, const char *path, char *err, size_t errlen);
int envschema_load_buffer(envschema *s, const char *name, const char *buf, size_t len,
                          char *err, size_t errlen);
void envschema_free(envschema *s);

const envschema_var *envschema_find(const envschema *s, const char *name);
const char *envschema_type_name(envschema_type t);

/* Current value of another variable (NULL = unset), for required_when. */
typedef const char *(*envschema_get_fn)(void *ctx, const char *name);
/* Is v required given the other values (a required_when variable that is unset or empty
 * counts as its default)? */
int envschema_is_required(const envschema *s, const envschema_var *v, envschema_get_fn get,
                          void *ctx);

typedef enum {
    ENVSCHEMA_OK, ENVSCHEMA_INVALID_TYPE, ENVSCHEMA_INVALID_VALUE, ENVSCHEMA_PLACEHOLDER,
    ENVSCHEMA_WEAK
} envschema_verdict;

/* The rule id of a verdict: invalid-type, invalid-value, placeholder-secret, weak-secret. */
const char *envschema_rule(envschema_verdict v);

/* Checks a non-empty value against v. msg gets a sentence starting with the variable name;
 * it quotes the value only when show_value is set and v is not secret. */
envschema_verdict envschema_check_value(const envschema_var *v, const char *value, size_t len,
                                        int show_value, char *msg, size_t msglen);

/* "changeme", "your-key-here", "xxxx", "<...>", "" and the like. */
int envschema_is_placeholder(const char *value, size_t len);
/* Length times the Shannon entropy of the value's byte distribution, in bits. */
double envschema_entropy_bits(const char *value, size_t len);

#endif
