/* truth: dt_pragma.c: an unknown option in #pragma D option is D_PRAGMA_OPTSET. */
#pragma D option nosuchoption
BEGIN { exit(0); }
