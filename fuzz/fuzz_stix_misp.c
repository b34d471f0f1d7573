/*
 * fuzz_stix_misp.c — libFuzzer target: the input is a JSON document loaded
 * as a STIX bundle or a MISP event (format recognised by content, then also
 * forced to each), compiled, and queried with event fields.  Must never
 * crash, leak or hang.
 */
#include <stdint.h>
#include <string.h>

#include "spoor.h"
#include "sigma/sigma_event.h"

static const char *const kv[] = {
    "SourceIp", "175.45.176.27", "DestinationHostname", "a.evil.example", "Image", "C:\\Windows\\Temp\\acres.exe",
    "CommandLine", "cmd /K start c:\\windows\\temp\\acres.exe 104.225.129.103", "Hashes",
    "SHA1=46A934E7B42BFB0A2A9BCECADE78F63375192924,IMPHASH=B3B9D4A2CAC8EA76F570BBDE5249F076",
    "TargetObject", "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest\\UseLogonCredential",
    "PipeName", "\\qt-1-2", "DestinationPort", "1357",
};

static int on_hit(void *user, const char *f, size_t fl, const char *v, size_t vl, const sp_ioc_hit *h)
{
    (void)f; (void)fl; (void)v; (void)vl;
    *(size_t *)user += h->len + (size_t)h->ioc->nlinks + (size_t)h->ioc->nlabels;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sp_intel_format fmts[] = {SP_INTEL_AUTO, SP_INTEL_STIX, SP_INTEL_MISP};
    for (size_t f = 0; f < 3; f++) {
        sp_intel_opts o = {(int)f == 2, -1};
        sp_intel *in;
        sp_error e;
        if (sp_intel_new(&o, &in, &e) != SP_OK) return 0;
        sp_intel_load_mem(in, "fuzz.json", (const char *)data, size, fmts[f], &e);
        if (sp_intel_compile(in, &e) == SP_OK) {
            sp_kv_event k = {kv, sizeof kv / sizeof *kv / 2, 0, 1660000000000LL};
            sp_event ev;
            sp_event_from_kv(&ev, &k);
            size_t n = 0;
            sp_intel_match_event(in, &ev, on_hit, &n);
            sp_ioc_hit h[8];
            n += sp_intel_lookup(in, SP_IOC_NONE, "175.45.176.27", 13, h, 8);
            for (size_t i = 0; i < sp_intel_issue_count(in); i++) {
                sp_intel_issue is;
                sp_intel_issue_at(in, i, &is);
                n += strlen(is.reason);
            }
            for (size_t i = 0; i < sp_intel_count(in); i++) n += strlen(sp_intel_ioc(in, i)->value);
        }
        sp_intel_free(in);
    }
    return 0;
}
