/* fuzz_weblog.c — libFuzzer target for web access logs (combined/common/Jetty, IIS W3C): see logs_fuzz.h. */
#include "logs_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sp_logfmt fam[] = {SP_LOG_WEB_COMBINED, SP_LOG_WEB_IIS_W3C};
    lf_family(data, size, fam, sizeof fam / sizeof *fam);
    return 0;
}
