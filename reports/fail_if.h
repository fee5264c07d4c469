/* reports/fail_if.h: --fail-if expressions: "METRIC OP NUMBER", e.g. "ooo.packets_ratio > 0.01".
 *
 * OP is one of > >= < <= == !=; NUMBER a decimal (fractions allowed). Parsing is separate from
 * evaluation so a bad expression is a usage error before any input is read. */
#ifndef NTA_REPORTS_FAIL_IF_H
#define NTA_REPORTS_FAIL_IF_H

typedef struct nta_fail_if {
    char metric[64];
    char op[3];
    double limit;
    char text[160];   /**< the expression as given */
} nta_fail_if;

/* 0, or -1 with *why set to a static explanation. */
int nta_fail_if_parse(const char *expr, nta_fail_if *out, const char **why);

/* 1 when value makes the condition true (the gate fails), else 0. */
int nta_fail_if_holds(const nta_fail_if *f, double value);

#endif
