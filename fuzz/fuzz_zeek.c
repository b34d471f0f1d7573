/* fuzz_zeek.c — libFuzzer target for Zeek logs (TSV with headers, JSON): see logs_fuzz.h. */
#include "logs_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sp_logfmt fam[] = {SP_LOG_ZEEK_TSV, SP_LOG_ZEEK_JSON};
    lf_family(data, size, fam, sizeof fam / sizeof *fam);
    return 0;
}
