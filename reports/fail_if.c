/* reports/fail_if.c: parsing and evaluating --fail-if expressions (see fail_if.h). */
#include "reports/fail_if.h"

#include <ctype.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int nta_fail_if_parse(const char *expr, nta_fail_if *out, const char **why)
{
    memset(out, 0, sizeof *out);
    snprintf(out->text, sizeof out->text, "%s", expr);
    const char *p = expr;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = 0;
    while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '.') && n < sizeof out->metric - 1)
        out->metric[n++] = *p++;
    if (n == 0) {
        *why = "it must start with a metric name";
        return -1;
    }
    while (isspace((unsigned char)*p))
        p++;
    static const char *const ops[] = { ">=", "<=", "==", "!=", ">", "<" };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t l = strlen(ops[i]);
        if (strncmp(p, ops[i], l) == 0) {
            memcpy(out->op, ops[i], l);
            p += l;
            break;
        }
    }
    if (out->op[0] == '\0') {
        *why = "the metric must be followed by one of > >= < <= == !=";
        return -1;
    }
    char *end;
    out->limit = strtod(p, &end);
    if (end == p) {
        *why = "the operator must be followed by a number";
        return -1;
    }
    if (!isfinite(out->limit)) {
        *why = "the limit must be a finite number (not nan or inf)";
        return -1;
    }
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0') {
        *why = "there is text after the number";
        return -1;
    }
    return 0;
}

int nta_fail_if_holds(const nta_fail_if *f, double v)
{
    if (strcmp(f->op, ">") == 0) return v > f->limit;
    if (strcmp(f->op, ">=") == 0) return v >= f->limit;
    if (strcmp(f->op, "<") == 0) return v < f->limit;
    if (strcmp(f->op, "<=") == 0) return v <= f->limit;
    if (strcmp(f->op, "==") == 0) return v == f->limit;
    return v != f->limit;
}
