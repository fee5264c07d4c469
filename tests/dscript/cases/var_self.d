/* truth: d-language.md 3.8: self-> variables read 0 until stored; storing 0 deletes, and
 * storing 0 into one that does not exist does nothing (corpus variables-tvar.tst.*). */
#pragma D option quiet
BEGIN { self->a = 1; self->b = 0; }
BEGIN { printf("%d %d %d\n", self->a, self->b, self->a + 1); self->a = 0; }
BEGIN { printf("%d\n", self->a); exit(0); }
