/* ws.c - the client side of RFC 6455: the upgrade and a frame reader */
#include "ws.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

/* RFC 6455 1.3: what the server appends to the key before hashing it */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int
ws_key_new(char key[25])
{
	unsigned char raw[16];

	if (RAND_bytes(raw, (int)sizeof(raw)) != 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)key, raw, (int)sizeof(raw));
	return 0;
}

void
ws_accept_of(const char *key, char out[29])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, key);
	strbuf_addstr(&sb, ws_guid);
	if (EVP_Digest(sb.buf, sb.len, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen != 20) {
		out[0] = '\0';	/* matches no answer */
	} else {
		EVP_EncodeBlock((unsigned char *)out, md, 20);
	}
	strbuf_release(&sb);
}

/* Case-insensitive: does the comma-separated list hold token? */
static bool
list_has(const char *v, size_t len, const char *token)
{
	size_t tl = strlen(token), i = 0;

	while (i < len) {
		size_t s, e;

		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < len && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(v + s, token, tl) == 0)
			return true;
	}
	return false;
}

/* Copies at most n bytes of s for a message, printable ASCII only. */
static void
clip(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < dstlen; i++)
		dst[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[j] = '\0';
}

int
ws_handshake_parse(const char *buf, size_t len, const char *key,
		   size_t *used, char *why, size_t whylen)
{
	const char *end = NULL, *p, *eol;
	bool upgrade = false, connection = false, accept_ok = false;
	bool accept_seen = false;
	char expect[29], status[80];
	size_t hlen;
	int code;

	for (size_t i = 0; i + 3 < len; i++) {
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
			end = buf + i + 2;	/* the last header's CRLF */
			break;
		}
	}
	if (!end) {
		if (len >= WS_MAX_HANDSHAKE) {
			snprintf(why, whylen, "the answer to the upgrade "
				 "request has more than %u bytes of headers",
				 WS_MAX_HANDSHAKE);
			return -1;
		}
		return 0;
	}
	hlen = (size_t)(end - buf) + 2;
	if (hlen > WS_MAX_HANDSHAKE) {
		snprintf(why, whylen, "the answer to the upgrade request has "
			 "more than %u bytes of headers", WS_MAX_HANDSHAKE);
		return -1;
	}
	eol = memchr(buf, '\r', (size_t)(end - buf));
	if (!eol)
		eol = end;
	clip(status, sizeof(status), buf, (size_t)(eol - buf));
	if (strncmp(buf, "HTTP/1.1 ", 9) != 0 || eol - buf < 12 ||
	    !isdigit((unsigned char)buf[9]) ||
	    !isdigit((unsigned char)buf[10]) ||
	    !isdigit((unsigned char)buf[11])) {
		snprintf(why, whylen, "the answer to the upgrade request is "
			 "not HTTP/1.1: '%s'", status);
		return -1;
	}
	code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (code != 101) {
		snprintf(why, whylen, "the event stream was refused: '%s'",
			 status);
		return -1;
	}
	ws_accept_of(key, expect);
	for (p = eol + 2; p < end; p = eol + 2) {
		const char *colon, *v;
		size_t n, vlen;

		eol = p;
		while (eol < end && !(eol[0] == '\r' && eol[1] == '\n'))
			eol++;
		if (eol >= end)
			break;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon)
			continue;
		n = (size_t)(colon - p);
		v = colon + 1;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		vlen = (size_t)(eol - v);
		while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (n == 7 && strncasecmp(p, "upgrade", 7) == 0)
			upgrade = list_has(v, vlen, "websocket");
		else if (n == 10 && strncasecmp(p, "connection", 10) == 0)
			connection = list_has(v, vlen, "upgrade");
		else if (n == 20 &&
			 strncasecmp(p, "sec-websocket-accept", 20) == 0) {
			accept_ok = !accept_seen && vlen == 28 && expect[0] &&
				    memcmp(v, expect, 28) == 0;
			accept_seen = true;
		}
	}
	if (!upgrade || !connection) {
		snprintf(why, whylen, "the server answered 101 without "
			 "'Upgrade: websocket' and 'Connection: Upgrade'");
		return -1;
	}
	if (!accept_ok) {
		snprintf(why, whylen, "the server's Sec-WebSocket-Accept %s",
			 accept_seen ? "does not match the key sent" :
				       "is missing");
		return -1;
	}
	*used = hlen;
	return 1;
}

void
ws_frame_build(struct strbuf *out, enum ws_op op, const void *payload,
	       size_t len, const unsigned char mask[4])
{
	unsigned char h[14];
	size_t n = 0;
	const unsigned char *p = payload;

	h[n++] = (unsigned char)(0x80 | (unsigned)op);
	if (len < 126) {
		h[n++] = (unsigned char)(0x80 | len);
	} else if (len <= 0xffff) {
		h[n++] = 0x80 | 126;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else {
		h[n++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			h[n++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	memcpy(h + n, mask, 4);
	n += 4;
	strbuf_add(out, h, n);
	for (size_t i = 0; i < len; i++)
		strbuf_addch(out, (char)(p[i] ^ mask[i % 4]));
}

void
ws_reader_init(struct ws_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->max_message = WS_MAX_MESSAGE;
}

void
ws_reader_release(struct ws_reader *r)
{
	free(r->buf);
	strbuf_release(&r->msg);
	memset(r, 0, sizeof(*r));
}

int
ws_reader_feed(struct ws_reader *r, const void *data, size_t len, char *why,
	       size_t whylen)
{
	/* one whole frame of the longest message and its header */
	size_t limit = r->max_message + 14;

	if (r->off) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	if (len > limit - r->len) {
		snprintf(why, whylen, "more than %zu bytes of the event "
			 "stream pending unread", limit);
		return -1;
	}
	if (r->len + len > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;

		while (cap < r->len + len)
			cap *= 2;
		if (cap > limit)
			cap = limit;
		r->buf = xrealloc(r->buf, cap);
		r->cap = cap;
	}
	if (len)
		memcpy(r->buf + r->len, data, len);
	r->len += len;
	return 0;
}

static enum ws_event
fail(struct ws_reader *r, char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "websocket protocol error: %s", msg);
	r->closed = true;
	return WS_EV_ERROR;
}

enum ws_event
ws_reader_next(struct ws_reader *r, struct ws_msg *m, char *why,
	       size_t whylen)
{
	memset(m, 0, sizeof(*m));
	for (;;) {
		const unsigned char *b = r->buf + r->off;
		size_t avail = r->len - r->off, hl = 2;
		uint64_t plen;
		bool fin;
		unsigned op;

		if (r->closed)
			return WS_EV_NONE;
		if (avail < 2)
			return WS_EV_NONE;
		fin = b[0] & 0x80;
		op = b[0] & 0x0f;
		if (b[0] & 0x70)
			return fail(r, why, whylen, "reserved bits set "
				    "(no extension was agreed)");
		if (b[1] & 0x80)
			return fail(r, why, whylen,
				    "the server masked a frame");
		plen = b[1] & 0x7f;
		if (plen == 126) {
			hl = 4;
			if (avail < hl)
				return WS_EV_NONE;
			plen = (uint64_t)b[2] << 8 | b[3];
			if (plen < 126)
				return fail(r, why, whylen, "a length not in "
					    "its shortest form");
		} else if (plen == 127) {
			hl = 10;
			if (avail < hl)
				return WS_EV_NONE;
			plen = 0;
			for (int i = 2; i < 10; i++)
				plen = plen << 8 | b[i];
			if (plen >> 63)
				return fail(r, why, whylen, "a length with "
					    "its top bit set");
			if (plen <= 0xffff)
				return fail(r, why, whylen, "a length not in "
					    "its shortest form");
		}
		if (op >= 0x8) {
			if (op > WS_OP_PONG)
				return fail(r, why, whylen,
					    "an unknown opcode");
			if (!fin)
				return fail(r, why, whylen,
					    "a fragmented control frame");
			if (plen > 125)
				return fail(r, why, whylen, "a control frame "
					    "longer than 125 bytes");
		} else if (op != WS_OP_CONT && op != WS_OP_TEXT &&
			   op != WS_OP_BINARY) {
			return fail(r, why, whylen, "an unknown opcode");
		}
		if (op < 0x8 && plen > r->max_message - r->msg.len) {
			char msg[96];

			snprintf(msg, sizeof(msg), "a message longer than "
				 "%zu bytes", r->max_message);
			return fail(r, why, whylen, msg);
		}
		if (avail - hl < plen)
			return WS_EV_NONE;
		r->off += hl + (size_t)plen;
		b += hl;
		switch (op) {
		case WS_OP_PING:
		case WS_OP_PONG:
			/* may come between the fragments of a message */
			memcpy(r->ctl, b, (size_t)plen);
			r->ctl[plen] = '\0';
			m->data = r->ctl;
			m->len = (size_t)plen;
			return op == WS_OP_PING ? WS_EV_PING : WS_EV_PONG;
		case WS_OP_CLOSE:
			if (plen == 1)
				return fail(r, why, whylen, "a close frame "
					    "of one byte");
			m->close_code = plen >= 2 ? (unsigned)b[0] << 8 | b[1] :
						    1005;
			r->closed = true;
			return WS_EV_CLOSE;
		case WS_OP_CONT:
			if (!r->in_message)
				return fail(r, why, whylen, "a continuation "
					    "outside a message");
			break;
		default:
			if (r->in_message)
				return fail(r, why, whylen, "a new message "
					    "inside a fragmented one");
			r->msg.len = 0;
			if (r->msg.buf)
				r->msg.buf[0] = '\0';
			r->msg_op = (enum ws_op)op;
			r->in_message = true;
			break;
		}
		strbuf_add(&r->msg, b, (size_t)plen);
		if (!fin)
			continue;
		r->in_message = false;
		m->op = r->msg_op;
		m->data = r->msg.buf ? r->msg.buf : "";
		m->len = r->msg.len;
		return WS_EV_MESSAGE;
	}
}
