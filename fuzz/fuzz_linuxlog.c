/* fuzz_linuxlog.c — libFuzzer target for Linux syslog/auth.log and auditd logs: see logs_fuzz.h. */
#include "logs_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sp_logfmt fam[] = {SP_LOG_LINUX_AUTH, SP_LOG_LINUX_AUDIT};
    lf_family(data, size, fam, sizeof fam / sizeof *fam);
    return 0;
}
