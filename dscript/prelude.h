/* dscript/prelude.h: the D text compiled before every program (prelude.c). */
#ifndef NTA_DSCRIPT_PRELUDE_H
#define NTA_DSCRIPT_PRELUDE_H

extern const char ds_prelude[];

#endif
