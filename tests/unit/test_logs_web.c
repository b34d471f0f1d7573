/* test_logs_web.c — web access logs: combined/common, vhost, Jetty/Zimbra
 * trailing fields, IIS W3C with header changes, malformed lines. */
#include "test.h"
#include "logs_util.h"

TEST(logs_web_combined)
{
    lt t;
    lt_init(&t, SP_LOG_WEB_COMBINED, "access.log");
    CHECK_EQ_INT(lt_parse(&t, "192.168.1.5 - alice [10/Oct/2023:13:55:36 -0700] \"GET /a/b.jsp?cmd=whoami&x=%20 HTTP/1.1\" 200 2326 \"http://r/\" \"Mozilla/5.0 (X11)\"\n"), 1);
    CHECK_STR(lt_get(&t, "c-ip"), "192.168.1.5");
    CHECK_STR(lt_get(&t, "cs-username"), "alice");
    CHECK_STR(lt_get(&t, "cs-method"), "GET");
    CHECK_STR(lt_get(&t, "cs-uri-stem"), "/a/b.jsp");
    CHECK_STR(lt_get(&t, "cs-uri-query"), "cmd=whoami&x=%20");   /* raw, not decoded */
    CHECK_STR(lt_get(&t, "cs-uri"), "/a/b.jsp?cmd=whoami&x=%20");
    CHECK_STR(lt_get(&t, "cs-version"), "HTTP/1.1");
    CHECK_STR(lt_get(&t, "sc-status"), "200");
    CHECK_STR(lt_get(&t, "sc-bytes"), "2326");
    CHECK_STR(lt_get(&t, "cs-referer"), "http://r/");
    CHECK_STR(lt_get(&t, "cs-user-agent"), "Mozilla/5.0 (X11)");
    CHECK_STR(lt_get(&t, "date"), "2023-10-10");
    CHECK_STR(lt_get(&t, "time"), "20:55:36");
    CHECK_EQ_INT(t.ev.time_ms, 1696971336000LL);
    CHECK_STR(t.ev.category, "webserver");
    sp_value v;
    CHECK_EQ_INT(sp_logevent_field(&t.ev, "sc-status", 9, &v, 1), 1);
    CHECK(v.is_int && v.i == 200);
    lt_fini(&t);
}

TEST(logs_web_edge)
{
    lt t;
    lt_init(&t, SP_LOG_WEB_COMBINED, NULL);
    /* IPv6 client, dashes are nulls, common format (no referer/UA) */
    CHECK_EQ_INT(lt_parse(&t, "2001:db8::1 - - [01/Jan/2022:00:00:00 +0000] \"HEAD / HTTP/1.0\" 304 -"), 1);
    CHECK_STR(lt_get(&t, "c-ip"), "2001:db8::1");
    CHECK_STR(lt_get(&t, "cs-username"), "(null)");
    CHECK_STR(lt_get(&t, "sc-bytes"), "(null)");
    CHECK_STR(lt_get(&t, "cs-user-agent"), "(absent)");
    CHECK_STR(lt_get(&t, "cs-uri-query"), "(absent)");
    /* quotes inside the user agent, escaped and unescaped */
    CHECK_EQ_INT(lt_parse(&t, "1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"a \\\"b\\\" c\""), 1);
    CHECK_STR(lt_get(&t, "cs-user-agent"), "a \\\"b\\\" c");
    CHECK_STR(lt_get(&t, "cs-referer"), "(null)");
    CHECK_EQ_INT(lt_parse(&t, "1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"Mozilla \"evil\" x\""), 1);
    CHECK_STR(lt_get(&t, "cs-user-agent"), "Mozilla \"evil\" x");
    /* vhost prefix with port; a request that is not METHOD URI VERSION */
    CHECK_EQ_INT(lt_parse(&t, "mail.example:443 10.0.0.1 - - [01/Jan/2022:00:00:00 +0100] \"\\x16\\x03\\x01\" 400 0 \"-\" \"-\""), 1);
    CHECK_STR(lt_get(&t, "cs-host"), "mail.example");
    CHECK_STR(lt_get(&t, "s-port"), "443");
    CHECK_STR(lt_get(&t, "c-ip"), "10.0.0.1");
    CHECK_STR(lt_get(&t, "request"), "\\x16\\x03\\x01");
    CHECK_STR(lt_get(&t, "cs-method"), "(absent)");
    CHECK_EQ_INT(t.ev.time_ms, 1640991600000LL);
    /* "-" request */
    CHECK_EQ_INT(lt_parse(&t, "10.0.0.1 - - [01/Jan/2022:00:00:00 +0000] \"-\" 408 0 \"-\" \"-\""), 1);
    CHECK_STR(lt_get(&t, "cs-method"), "(absent)");
    /* Jetty/Zimbra: latency; X-Forwarded-For quoted or bare */
    CHECK_EQ_INT(lt_parse(&t, "10.0.0.1 - - [01/Jan/2022:00:00:00 +0000] \"POST /service/extension/backup/mboximport?account-name=admin HTTP/1.1\" 401 - \"-\" \"python-requests/2.28.1\" 17 \"175.45.176.27, 10.0.0.9\""), 1);
    CHECK_STR(lt_get(&t, "time-taken"), "17");
    CHECK_STR(lt_get(&t, "X-Forwarded-For"), "175.45.176.27, 10.0.0.9");
    CHECK_STR(lt_get(&t, "sc-status"), "401");
    CHECK_EQ_INT(lt_parse(&t, "10.0.0.1 - - [01/Jan/2022:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\" 175.45.176.27 5 something"), 1);
    CHECK_STR(lt_get(&t, "X-Forwarded-For"), "175.45.176.27");
    CHECK_STR(lt_get(&t, "time-taken"), "5");
    CHECK_STR(lt_get(&t, "extra"), "something");
    /* blank and malformed lines */
    CHECK_EQ_INT(lt_parse(&t, "   \r\n"), 0);
    CHECK_EQ_INT(lt_parse(&t, "garbage"), -1);
    CHECK(strstr(t.err, "offset") != NULL);
    CHECK_EQ_INT(lt_parse(&t, "1.2.3.4 - - [01/Jan/2022:00:00:"), -1);
    CHECK_EQ_INT(lt_parse(&t, "1.2.3.4 - - [99/Foo/2022:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1"), -1);
    CHECK(strstr(t.err, "time") != NULL);
    CHECK_EQ_INT(lt_parse(&t, "1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] \"GET / HTTP/1.1\" abc 1"), -1);
    CHECK(strstr(t.err, "status") != NULL);
    CHECK_EQ_INT(lt_parse(&t, "1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] \"GET / HTTP/1.1"), -1);
    lt_fini(&t);
}

TEST(logs_web_iis)
{
    lt t;
    lt_init(&t, SP_LOG_WEB_IIS_W3C, "u_ex.log");
    CHECK_EQ_INT(lt_parse(&t, "1.1.1.1 2022-08-15 ..."), -1);  /* before #Fields */
    CHECK_EQ_INT(lt_parse(&t, "#Software: Microsoft Internet Information Services 10.0"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#Date: 2022-08-15 00:00:00"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status time-taken"), 0);
    CHECK_EQ_INT(lt_parse(&t, "2022-08-15 07:26:59 10.0.0.5 GET /aspnet_client/x.aspx exec=cmd+/c+whoami 443 - 2001:db8::7 Mozilla/5.0+(Windows+NT+10.0) - 200 121"), 1);
    CHECK_STR(lt_get(&t, "cs-user-agent"), "Mozilla/5.0 (Windows NT 10.0)");
    CHECK_STR(lt_get(&t, "cs-uri-query"), "exec=cmd+/c+whoami");     /* raw */
    CHECK_STR(lt_get(&t, "cs-uri"), "/aspnet_client/x.aspx?exec=cmd+/c+whoami");
    CHECK_STR(lt_get(&t, "cs-username"), "(null)");
    CHECK_STR(lt_get(&t, "cs-referer"), "(null)");
    CHECK_STR(lt_get(&t, "c-ip"), "2001:db8::7");
    CHECK_EQ_INT(t.ev.time_ms, 1660548419000LL);
    CHECK_EQ_INT(lt_parse(&t, "2022-08-15 07:26:59 10.0.0.5 GET /x - 443"), -1);
    CHECK(strstr(t.err, "columns") != NULL);
    /* a restart writes a new header with other columns; no date column: #Date */
    CHECK_EQ_INT(lt_parse(&t, "#Date: 2022-08-16 01:00:00"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#Fields: time c-ip cs-method cs-uri-stem sc-status cs(Cookie) cs(X-Forwarded-For) s-computername"), 0);
    CHECK_EQ_INT(lt_parse(&t, "01:02:03 10.1.1.1 POST /owa/auth/errorEE.aspx 200 a=b 175.45.176.27 EX01"), 1);
    CHECK_STR(lt_get(&t, "cs-cookie"), "a=b");
    CHECK_STR(lt_get(&t, "X-Forwarded-For"), "175.45.176.27");
    CHECK_STR(lt_get(&t, "s-computername"), "EX01");
    CHECK_STR(lt_get(&t, "cs-uri"), "/owa/auth/errorEE.aspx");
    CHECK_STR(lt_get(&t, "cs-user-agent"), "(absent)");
    CHECK_EQ_INT(t.ev.time_ms, 1660611723000LL);
    CHECK_EQ_INT(lt_parse(&t, "01:02:03 10.1.1.1 POST /x 200 a b c d"), -1);
    lt_fini(&t);
}

TEST(logs_detect)
{
    const char *web = "1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"\n";
    CHECK_EQ_INT(sp_log_detect(web, strlen(web)), SP_LOG_WEB_COMBINED);
    const char *common = "1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5\n";
    CHECK_EQ_INT(sp_log_detect(common, strlen(common)), SP_LOG_WEB_COMMON);
    const char *vh = "\n\nwww.x:80 1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\" 12\n";
    CHECK_EQ_INT(sp_log_detect(vh, strlen(vh)), SP_LOG_WEB_COMBINED);
    const char *iis = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n";
    CHECK_EQ_INT(sp_log_detect(iis, strlen(iis)), SP_LOG_WEB_IIS_W3C);
    const char *zt = "#separator \\x09\n#set_separator\t,\n";
    CHECK_EQ_INT(sp_log_detect(zt, strlen(zt)), SP_LOG_ZEEK_TSV);
    const char *zj = "{\"ts\":1660089617.25,\"uid\":\"CAbc\",\"id.orig_h\":\"10.0.0.1\"}\n";
    CHECK_EQ_INT(sp_log_detect(zj, strlen(zj)), SP_LOG_ZEEK_JSON);
    CHECK(sp_log_is_zeek_json(zj, strlen(zj)));
    const char *ecs = "{\"@timestamp\":\"2022-01-01T00:00:00Z\",\"winlog\":{\"channel\":\"Security\"}}";
    CHECK(!sp_log_is_zeek_json(ecs, strlen(ecs)));
    CHECK_EQ_INT(sp_log_detect(ecs, strlen(ecs)), SP_LOG_NONE);
    const char *au = "Jan  5 10:00:00 host sshd[1]: Accepted password for a from 1.2.3.4 port 2 ssh2\n";
    CHECK_EQ_INT(sp_log_detect(au, strlen(au)), SP_LOG_LINUX_AUTH);
    const char *au2 = "2024-01-05T10:00:00.123456+01:00 host sudo: x\n";
    CHECK_EQ_INT(sp_log_detect(au2, strlen(au2)), SP_LOG_LINUX_AUTH);
    const char *ad = "type=SYSCALL msg=audit(1664000000.123:456): arch=c000003e syscall=59\n";
    CHECK_EQ_INT(sp_log_detect(ad, strlen(ad)), SP_LOG_LINUX_AUDIT);
    const char *ad2 = "node=h1 type=EXECVE msg=audit(1664000000.123:456): argc=1 a0=\"id\"\n";
    CHECK_EQ_INT(sp_log_detect(ad2, strlen(ad2)), SP_LOG_LINUX_AUDIT);
    const char *no = "hello world\nthis is text\n";
    CHECK_EQ_INT(sp_log_detect(no, strlen(no)), SP_LOG_NONE);
    CHECK_EQ_INT(sp_log_detect("", 0), SP_LOG_NONE);
    CHECK_STR(sp_logfmt_name(SP_LOG_ZEEK_TSV), "zeek_tsv");
    CHECK_EQ_INT(sp_logfmt_from_name("linux_audit"), SP_LOG_LINUX_AUDIT);
    CHECK_EQ_INT(sp_logfmt_from_name("nope"), SP_LOG_NONE);
}
