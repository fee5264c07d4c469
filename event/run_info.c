/* event/run_info.c: reading an nta_run_info (see run_info.h). */
#include "event/run_info.h"

#include <string.h>

uint64_t nta_run_skipped(const nta_run_info *info, const char *reason)
{
    for (int i = 0; i < info->nskipped; i++)
        if (strcmp(info->skipped[i].reason, reason) == 0)
            return info->skipped[i].count;
    return 0;
}
