/* test_ws.c - the websocket upgrade, frame reader and event classes */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "watch.h"
#include "ws.h"

static char why[256];

/* A server frame (never masked): FIN, opcode, payload. */
static void
frame(struct strbuf *b, bool fin, unsigned op, const char *p, size_t len)
{
	unsigned char h[10];
	size_t n = 0;

	h[n++] = (unsigned char)((fin ? 0x80 : 0) | op);
	if (len < 126) {
		h[n++] = (unsigned char)len;
	} else if (len <= 0xffff) {
		h[n++] = 126;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else {
		h[n++] = 127;
		for (int i = 7; i >= 0; i--)
			h[n++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	strbuf_add(b, h, n);
	strbuf_add(b, p, len);
}

static void
test_accept(void **state)
{
	char out[29], key[25], key2[25];

	(void)state;
	/* RFC 6455 1.3's example */
	ws_accept_of("dGhlIHNhbXBsZSBub25jZQ==", out);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_int_equal(ws_key_new(key), 0);
	assert_int_equal(ws_key_new(key2), 0);
	assert_int_equal(strlen(key), 24);
	assert_string_not_equal(key, key2);
}

static void
test_handshake(void **state)
{
	const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
	const char *good = "HTTP/1.1 101 Switching Protocols\r\n"
			   "upgrade: WebSocket\r\n"
			   "Connection: keep-alive, Upgrade\r\n"
			   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
			   "\r\n\x81\x02hi";
	size_t used = 0;
	struct strbuf big = STRBUF_INIT;

	(void)state;
	assert_int_equal(ws_handshake_parse(good, strlen(good), key, &used,
					    why, sizeof(why)), 1);
	assert_int_equal(used, strlen(good) - 4);
	/* not all there yet */
	assert_int_equal(ws_handshake_parse(good, 40, key, &used, why,
					    sizeof(why)), 0);
	/* refused */
	assert_int_equal(ws_handshake_parse("HTTP/1.1 403 Forbidden\r\n\r\n", 26,
					    key, &used, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "403 Forbidden"));
	/* wrong accept value */
	{
		const char *bad = "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"
				  "Connection: upgrade\r\n"
				  "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n";

		assert_int_equal(ws_handshake_parse(bad, strlen(bad), key,
						    &used, why, sizeof(why)),
				 -1);
		assert_non_null(strstr(why, "does not match"));
	}
	/* no Upgrade header */
	{
		const char *bad = "HTTP/1.1 101 OK\r\nConnection: upgrade\r\n"
				  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

		assert_int_equal(ws_handshake_parse(bad, strlen(bad), key,
						    &used, why, sizeof(why)),
				 -1);
	}
	/* endless headers are refused, not buffered */
	strbuf_addstr(&big, "HTTP/1.1 101 OK\r\n");
	while (big.len < WS_MAX_HANDSHAKE + 10)
		strbuf_addstr(&big, "X-Pad: 0123456789\r\n");
	assert_int_equal(ws_handshake_parse(big.buf, big.len, key, &used, why,
					    sizeof(why)), -1);
	assert_non_null(strstr(why, "more than"));
	strbuf_release(&big);
}

/* Feeds b whole (or byte by byte) and collects the events. */
static enum ws_event
read_all(const struct strbuf *b, bool bytewise, struct strbuf *msgs,
	 size_t max_message)
{
	struct ws_reader r;
	struct ws_msg m;
	enum ws_event ev = WS_EV_NONE, last = WS_EV_NONE;
	size_t step = bytewise ? 1 : b->len;

	ws_reader_init(&r);
	if (max_message)
		r.max_message = max_message;
	for (size_t off = 0; off < b->len; off += step) {
		size_t n = b->len - off < step ? b->len - off : step;

		if (ws_reader_feed(&r, b->buf + off, n, why, sizeof(why)) != 0) {
			last = WS_EV_ERROR;
			break;
		}
		while ((ev = ws_reader_next(&r, &m, why, sizeof(why))) !=
		       WS_EV_NONE) {
			last = ev;
			if (ev == WS_EV_MESSAGE || ev == WS_EV_PING) {
				strbuf_addf(msgs, "%s:", ev == WS_EV_PING ?
							 "ping" : "msg");
				strbuf_add(msgs, m.data, m.len);
				strbuf_addch(msgs, '|');
			}
			if (ev == WS_EV_CLOSE)
				strbuf_addf(msgs, "close:%u|", m.close_code);
			if (ev == WS_EV_ERROR || ev == WS_EV_CLOSE)
				goto out;
		}
	}
out:
	ws_reader_release(&r);
	return last;
}

static void
test_frames(void **state)
{
	struct strbuf b = STRBUF_INIT, got = STRBUF_INIT;
	char *longp = xmalloc(70000);

	(void)state;
	memset(longp, 'a', 70000);
	frame(&b, true, WS_OP_TEXT, "{\"a\":1}", 7);
	/* fragmented, with a ping between the fragments */
	frame(&b, false, WS_OP_TEXT, "hel", 3);
	frame(&b, true, WS_OP_PING, "p1", 2);
	frame(&b, false, WS_OP_CONT, "lo ", 3);
	frame(&b, true, WS_OP_CONT, "world", 5);
	frame(&b, true, WS_OP_TEXT, longp, 300);	/* 16-bit length */
	frame(&b, true, WS_OP_TEXT, longp, 70000);	/* 64-bit length */
	frame(&b, true, WS_OP_CLOSE, "\x03\xe8", 2);
	frame(&b, true, WS_OP_TEXT, "after", 5);	/* never read */
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		got.len = 0;
		assert_int_equal(read_all(&b, bytewise, &got, 0), WS_EV_CLOSE);
		assert_true(str_starts_with(got.buf, "msg:{\"a\":1}|ping:p1|"
						     "msg:hello world|msg:aaa"));
		assert_true(str_ends_with(got.buf, "a|close:1000|"));
		assert_int_equal(got.len, strlen("msg:{\"a\":1}|ping:p1|"
						 "msg:hello world|") +
						  5 + 300 + 5 + 70000 +
						  strlen("close:1000|"));
	}
	strbuf_release(&b);
	strbuf_release(&got);
	free(longp);
}

static void
test_violations(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		const char *why;
	} bad[] = {
		{ "\x81\x82\0\0\0\0ab", 8, "masked" },
		{ "\xc1\x01" "a", 3, "reserved" },
		{ "\x80\x01" "a", 3, "continuation outside" },
		{ "\x01\x01" "a\x01\x01" "b", 6, "new message inside" },
		{ "\x09\x00", 2, "fragmented control" },
		{ "\x83\x00", 2, "unknown opcode" },
		{ "\x8b\x00", 2, "unknown opcode" },
		{ "\x89\x7e\x00\x7e", 4, "control frame longer" },
		{ "\x81\x7e\x00\x05" "hello", 9, "shortest form" },
		{ "\x81\x7f\x80\0\0\0\0\0\0\0", 10, "top bit" },
		{ "\x88\x01" "x", 3, "one byte" },
	};
	struct strbuf got = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct strbuf b = { (char *)(uintptr_t)bad[i].bytes, bad[i].len,
				    0 };

		got.len = 0;
		assert_int_equal(read_all(&b, false, &got, 0), WS_EV_ERROR);
		if (!strstr(why, bad[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, why,
				 bad[i].why);
	}
	strbuf_release(&got);
}

static void
test_limits(void **state)
{
	struct strbuf b = STRBUF_INIT, got = STRBUF_INIT;
	char p[100];

	(void)state;
	memset(p, 'x', sizeof(p));
	/* one frame over the limit */
	frame(&b, true, WS_OP_TEXT, p, 65);
	assert_int_equal(read_all(&b, false, &got, 64), WS_EV_ERROR);
	assert_non_null(strstr(why, "longer than 64"));
	/* fragments that add up to more than the limit */
	b.len = 0;
	for (int i = 0; i < 5; i++)
		frame(&b, false, i ? WS_OP_CONT : WS_OP_TEXT, p, 20);
	assert_int_equal(read_all(&b, true, &got, 64), WS_EV_ERROR);
	/* a length announced far beyond the limit is refused at once,
	   before its bytes come */
	b.len = 0;
	strbuf_add(&b, "\x81\x7f\0\0\0\x01\0\0\0\0", 10);
	assert_int_equal(read_all(&b, false, &got, 0), WS_EV_ERROR);
	strbuf_release(&b);
	strbuf_release(&got);
}

static void
test_build(void **state)
{
	struct strbuf f = STRBUF_INIT;
	const unsigned char mask[4] = { 1, 2, 3, 4 };
	char *p = xmalloc(300);

	(void)state;
	ws_frame_build(&f, WS_OP_PONG, "ab", 2, mask);
	assert_int_equal(f.len, 8);
	assert_memory_equal(f.buf, "\x8a\x82\x01\x02\x03\x04\x60\x60", 8);
	f.len = 0;
	memset(p, 0, 300);
	ws_frame_build(&f, WS_OP_TEXT, p, 300, mask);
	assert_int_equal(f.len, 4 + 4 + 300);
	assert_memory_equal(f.buf, "\x81\xfe\x01\x2c\x01\x02\x03\x04", 8);
	/* zeros masked are the mask */
	assert_memory_equal(f.buf + 8, "\x01\x02\x03\x04\x01", 5);
	strbuf_release(&f);
	free(p);
}

static bool
parts(const char *json, bool want[SNAP__COUNT])
{
	json_t *j = json_loads(json, 0, NULL);
	bool r;

	assert_non_null(j);
	r = watch_event_parts(j, want);
	json_decref(j);
	return r;
}

static void
test_event_parts(void **state)
{
	bool w[SNAP__COUNT];

	(void)state;
	assert_true(parts("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
			  "\"profile-updated\",\"source\":\"/1.0/profiles/x\"}}",
			  w));
	assert_true(w[SNAP_PROFILES] && w[SNAP_INSTANCES]);
	assert_false(w[SNAP_CERTIFICATES]);
	assert_true(parts("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
			  "\"config-updated\"}}", w));
	assert_true(w[SNAP_SERVER] && w[SNAP_MEMBER_SERVERS]);
	assert_false(w[SNAP_INSTANCES]);
	assert_true(parts("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
			  "\"network-acl-updated\"}}", w));
	assert_true(w[SNAP_NETWORK_ACLS] && !w[SNAP_NETWORKS]);
	assert_true(parts("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
			  "\"network-updated\"}}", w));
	assert_true(w[SNAP_NETWORKS] && !w[SNAP_NETWORK_ACLS]);
	assert_true(parts("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
			  "\"project-updated\"}}", w));
	assert_true(w[SNAP_PROJECTS] && w[SNAP_PROFILES] && w[SNAP_NETWORKS]);
	assert_true(parts("{\"type\":\"operation\",\"metadata\":{\"class\":"
			  "\"token\"}}", w));
	assert_true(w[SNAP_OPERATIONS]);
	assert_false(parts("{\"type\":\"operation\",\"metadata\":{\"class\":"
			   "\"task\"}}", w));
	assert_false(parts("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
			   "\"instance-exec\"}}", w));
	assert_false(parts("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
			   "\"image-created\"}}", w));
	assert_false(parts("{\"type\":\"logging\",\"metadata\":{}}", w));
	assert_false(parts("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
			   "7}}", w));
	assert_true(parts("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
			  "\"instance-updated\"}}", w));
	assert_true(w[SNAP_INSTANCES] && !w[SNAP_PROFILES]);
}

static void
test_event_instance(void **state)
{
	char *p = NULL, *n = NULL;
	json_t *j;

	(void)state;
	j = json_loads("{\"type\":\"lifecycle\",\"project\":\"pa\","
		       "\"metadata\":{\"action\":\"instance-updated\","
		       "\"source\":\"/1.0/instances/a%23b?project=pa\"}}", 0,
		       NULL);
	assert_true(watch_event_instance(j, &p, &n));
	assert_string_equal(p, "pa");
	assert_string_equal(n, "a#b");
	free(p);
	free(n);
	json_decref(j);
	/* a rename needs the whole list: the old name goes away */
	j = json_loads("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
		       "\"instance-renamed\",\"source\":\"/1.0/instances/a\"}}",
		       0, NULL);
	assert_false(watch_event_instance(j, &p, &n));
	assert_null(n);
	json_decref(j);
	j = json_loads("{\"type\":\"lifecycle\",\"metadata\":{\"action\":"
		       "\"instance-updated\",\"source\":\"/1.0/instances/\"}}",
		       0, NULL);
	assert_false(watch_event_instance(j, &p, &n));
	json_decref(j);
}

static void
test_put_item(void **state)
{
	const char *base = getenv("LXDH_TESTDATA");
	char *dir = xasprintf("%s/snapshot/sample-5.0.2",
			      base ? base : "tests/data");
	struct snapshot s, s2;
	struct diag d = { { 0 } };
	json_t *item;
	const json_t *old_arr;

	(void)state;
	snapshot_init(&s);
	assert_int_equal(snapshot_load_dir(&s, dir, &d), 0);
	free(dir);
	old_arr = s.part[SNAP_INSTANCES];
	assert_int_equal(json_array_size(old_arr), 6);
	/* a second snapshot sharing the part, as snapshot_fetch_some does */
	snapshot_init(&s2);
	s2.part[SNAP_INSTANCES] = json_incref(s.part[SNAP_INSTANCES]);
	item = json_deep_copy(snapshot_find(&s2, SNAP_INSTANCES, "limited",
					    "li-1"));
	assert_non_null(item);
	json_object_set_new(json_object_get(item, "config"),
			    "security.privileged", json_string("true"));
	assert_int_equal(snapshot_put_item(&s2, SNAP_INSTANCES, "limited",
					   "li-1", item, "GET x"), 0);
	json_decref(item);
	assert_ptr_not_equal(s2.part[SNAP_INSTANCES], old_arr);
	assert_int_equal(json_array_size(s2.part[SNAP_INSTANCES]), 6);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		snapshot_find(&s2, SNAP_INSTANCES, "limited", "li-1"), "config"),
		"security.privileged")), "true");
	/* the other snapshot did not change */
	assert_null(json_object_get(json_object_get(snapshot_find(&s,
		SNAP_INSTANCES, "limited", "li-1"), "config"),
		"security.privileged"));
	/* removed */
	assert_int_equal(snapshot_put_item(&s2, SNAP_INSTANCES, "semi",
					   "s-priv", NULL, "GET x"), 0);
	assert_int_equal(json_array_size(s2.part[SNAP_INSTANCES]), 5);
	assert_null(snapshot_find(&s2, SNAP_INSTANCES, "semi", "s-priv"));
	/* the wrong shape: the part is an error, not a pass */
	item = json_pack("{s:s, s:i}", "name", "x", "config", 3);
	assert_int_equal(snapshot_put_item(&s2, SNAP_INSTANCES, NULL, "x",
					   item, "GET /1.0/instances/x"), 0);
	json_decref(item);
	assert_null(s2.part[SNAP_INSTANCES]);
	assert_non_null(strstr(s2.why[SNAP_INSTANCES], "GET /1.0/instances/x"));
	/* nothing to put into */
	assert_int_equal(snapshot_put_item(&s2, SNAP_INSTANCES, NULL, "x",
					   NULL, "GET x"), -1);
	snapshot_release(&s2);
	snapshot_release(&s);
}

static const struct check chk_a = { .id = "LXD-T-001", .title = "a",
				    .severity = SEV_HIGH };
static const struct check chk_b = { .id = "LXD-T-002", .title = "b",
				    .severity = SEV_LOW };

static void
test_findings_map(void **state)
{
	struct check_result res[2];
	struct report r = { .results = res, .n = 2 };
	struct finding *f;
	json_t *old, *now;

	(void)state;
	memset(res, 0, sizeof(res));
	res[0].check = &chk_a;
	res[0].status = ST_FAIL;
	f = findings_add(&res[0].findings, ST_FAIL, SEV_HIGH,
			 "/1.0/profiles/p", "privileged");
	finding_key(f, "security.privileged", "true", "profile");
	/* the same (check, object, device, key) again: one entry */
	findings_add(&res[0].findings, ST_FAIL, SEV_HIGH, "/1.0/profiles/p",
		     "privileged again");
	finding_key(&res[0].findings.v[1], "security.privileged", "true",
		    "profile");
	f = findings_add(&res[0].findings, ST_FAIL, SEV_HIGH, "/1.0/profiles/w",
			 "waived");
	f->waiver_reason = xstrdup("lab");
	findings_add(&res[0].findings, ST_PASS, SEV_HIGH, "/1.0/profiles/ok",
		     "fine");
	res[1].check = &chk_b;
	res[1].status = ST_FAIL;
	f = findings_add(&res[1].findings, ST_FAIL, SEV_LOW, "/1.0",
			 "listens");
	finding_key(f, "core.https_address", "[::]:8443", "server");

	old = watch_findings(&r, NULL);
	assert_int_equal(json_object_size(old), 2);
	{
		const json_t *e = json_object_get(old,
			"LXD-T-001\x1f/1.0/profiles/p\x1f\x1fsecurity.privileged");

		assert_non_null(e);
		assert_string_equal(json_string_value(json_object_get(e,
			"severity")), "high");
		assert_string_equal(json_string_value(json_object_get(e,
			"value")), "true");
		assert_string_equal(json_string_value(json_object_get(e,
			"message")), "privileged");
	}
	/* check b cannot read its data now: its finding stays */
	findings_release(&res[1].findings);
	findings_add(&res[1].findings, ST_ERROR, SEV_LOW, "/1.0", "403");
	res[1].status = ST_ERROR;
	now = watch_findings(&r, old);
	assert_int_equal(json_object_size(now), 2);
	assert_non_null(json_object_get(now,
		"LXD-T-002\x1f/1.0\x1f\x1f" "core.https_address"));
	json_decref(now);
	/* and reads it again, passing: now it is gone */
	findings_release(&res[1].findings);
	findings_add(&res[1].findings, ST_PASS, SEV_LOW, "/1.0", "ok");
	res[1].status = ST_PASS;
	now = watch_findings(&r, old);
	assert_int_equal(json_object_size(now), 1);
	json_decref(now);
	/* a skipped check has no findings */
	res[0].status = ST_SKIPPED;
	now = watch_findings(&r, old);
	assert_int_equal(json_object_size(now), 0);
	json_decref(now);
	json_decref(old);
	findings_release(&res[0].findings);
	findings_release(&res[1].findings);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_violations),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_event_parts),
		cmocka_unit_test(test_findings_map),
		cmocka_unit_test(test_event_instance),
		cmocka_unit_test(test_put_item),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
