/*
 * bench_intel.c — IOC store speed on one core: load + compile N generated
 * mixed indicators (CSV text in memory, the loader's real path), then
 * lookups of IPv4 addresses, domains and hashes, half of them present.
 * Prints one line per figure.  Built and run by bench/bench_intel.sh.
 *
 *   bench_intel [N=1000000] [LOOKUPS=4000000]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spoor.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void hex(char *o, size_t bytes)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < bytes; i++) {
        uint8_t b = (uint8_t)rnd();
        o[2 * i] = d[b >> 4];
        o[2 * i + 1] = d[b & 15];
    }
    o[2 * bytes] = 0;
}

static void domain(char *o, uint64_t k)
{
    static const char *const tld[] = {"com", "net", "org", "info", "io", "ru", "cn", "xyz"};
    sprintf(o, "h%llx.d%llx.%s", (unsigned long long)(k % 7), (unsigned long long)k, tld[k % 8]);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    size_t nl = argc > 2 ? strtoul(argv[2], NULL, 10) : 4000000;
    /* the feed: 45% IPv4 (/32 and some CIDRs), 3% IPv6, 20% domains,
     * 4% URLs, 10% SHA256, 8% SHA1, 5% MD5, 5% file names */
    size_t cap = n * 96 + 64, len = 0;
    char *csv = malloc(cap);
    uint32_t *ips = malloc(n * sizeof *ips);
    char (*doms)[48] = malloc(n * sizeof *doms);
    char (*hashes)[72] = malloc(n * sizeof *hashes);
    size_t nip = 0, ndom = 0, nhash = 0;
    if (!csv || !ips || !doms || !hashes) return 1;
    len += (size_t)sprintf(csv + len, "value,type,actor,comment\n");
    for (size_t i = 0; i < n; i++) {
        unsigned r = (unsigned)(rnd() % 100);
        char v[160];
        const char *type = "";
        if (r < 45) {
            uint32_t a = (uint32_t)rnd();
            if (r < 2) sprintf(v, "%u.%u.%u.0/%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, 20 + (unsigned)(rnd() % 5));
            else {
                sprintf(v, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
                ips[nip++] = a;
            }
        } else if (r < 48) {
            sprintf(v, "2001:db8:%x:%x::%x", (unsigned)(rnd() & 0xffff), (unsigned)(rnd() & 0xffff), (unsigned)(rnd() & 0xffff));
        } else if (r < 68) {
            domain(v, rnd());
            memcpy(doms[ndom++], v, strlen(v) + 1);
        } else if (r < 72) {
            char d[64];
            domain(d, rnd());
            sprintf(v, "http://%s/p/%llx", d, (unsigned long long)(rnd() & 0xffffff));
        } else if (r < 82) {
            hex(v, 32);
            memcpy(hashes[nhash++], v, 65);
        } else if (r < 90) {
            hex(v, 20);
            memcpy(hashes[nhash++], v, 41);
        } else if (r < 95) {
            hex(v, 16);
            type = "md5";
            memcpy(hashes[nhash++], v, 33);
        } else {
            sprintf(v, "tool%llx.exe", (unsigned long long)(rnd() & 0xffffff));
        }
        len += (size_t)snprintf(csv + len, cap - len, "%s,%s,%s,bench\n", v, type, (i % 3) ? "Lazarus Group - G0032" : "");
    }
    sp_intel *in;
    sp_error e;
    double t0 = now();
    if (sp_intel_new(NULL, &in, &e) != SP_OK || sp_intel_load_mem(in, "bench.csv", csv, len, SP_INTEL_CSV, &e) != SP_OK)
        return 1;
    double t1 = now();
    if (sp_intel_compile(in, &e) != SP_OK) return 1;
    double t2 = now();
    const sp_intel_source *s = sp_intel_source_at(in, 0);
    printf("load %zu indicators (%.1f MB CSV): parse+add %.3f s, compile %.3f s, total %.3f s (goal < 2 s); "
           "loaded %zu, skipped %zu\n",
           n, (double)len / 1e6, t1 - t0, t2 - t1, t2 - t0, s->loaded, s->skipped);
    free(csv);

    /* queries: half present, half random */
    char (*q)[72] = malloc(nl * sizeof *q);
    uint32_t *qa = malloc(nl * sizeof *qa);
    if (!q || !qa) return 1;
    sp_ioc_hit h[8];
    size_t found = 0;
    /* IPv4, as text (what event fields carry) */
    for (size_t i = 0; i < nl; i++) {
        uint32_t a = (i & 1) ? (uint32_t)rnd() : ips[rnd() % nip];
        qa[i] = a;
        sprintf(q[i], "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    }
    double a0 = now();
    for (size_t i = 0; i < nl; i++) found += sp_intel_lookup(in, SP_IOC_IPV4, q[i], strlen(q[i]), h, 8) != 0;
    double a1 = now();
    printf("IPv4 lookups (text, sp_intel_lookup): %.1f M/s (goal >= 10), %zu of %zu hit\n", (double)nl / (a1 - a0) / 1e6,
           found, nl);
    found = 0;
    a0 = now();
    for (size_t i = 0; i < nl; i++)
        found += sp_intel_match_field(in, "DestinationIp", 13, q[i], strlen(q[i]), h, 8) != 0;
    a1 = now();
    printf("IPv4 field matches (DestinationIp): %.1f M/s, %zu hit\n", (double)nl / (a1 - a0) / 1e6, found);
    /* domains (looked up with every parent: a.b.c -> a.b.c, b.c, c) */
    for (size_t i = 0; i < nl; i++) {
        if (i & 1) memcpy(q[i], doms[rnd() % ndom], 48);
        else domain(q[i], rnd());
    }
    found = 0;
    a0 = now();
    for (size_t i = 0; i < nl; i++) found += sp_intel_lookup(in, SP_IOC_DOMAIN, q[i], strlen(q[i]), h, 8) != 0;
    a1 = now();
    printf("domain lookups (with parent domains): %.1f M/s (goal >= 3), %zu of %zu hit\n", (double)nl / (a1 - a0) / 1e6,
           found, nl);
    /* hashes (md5 / sha1 / sha256 mixed) */
    for (size_t i = 0; i < nl; i++) {
        if (i & 1) memcpy(q[i], hashes[rnd() % nhash], 72);
        else hex(q[i], (i & 2) ? 32 : 20);
    }
    found = 0;
    a0 = now();
    for (size_t i = 0; i < nl; i++) found += sp_intel_lookup(in, SP_IOC_NONE, q[i], strlen(q[i]), h, 8) != 0;
    a1 = now();
    printf("hash lookups (hex text, type detected): %.1f M/s (goal >= 3), %zu of %zu hit\n", (double)nl / (a1 - a0) / 1e6,
           found, nl);
    found = 0;
    a0 = now();
    for (size_t i = 0; i < nl; i++) found += sp_intel_lookup(in, SP_IOC_SHA256, q[i], strlen(q[i]), h, 8) != 0;
    a1 = now();
    printf("hash lookups (type given): %.1f M/s, %zu hit\n", (double)nl / (a1 - a0) / 1e6, found);
    free(q);
    free(qa);
    free(ips);
    free(doms);
    free(hashes);
    sp_intel_free(in);
    return 0;
}
