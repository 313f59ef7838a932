/* watch_stream.c - GET /1.0/events as a websocket over libcurl */
#include "watch.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "lxdh_config.h"

long long
watch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd (and wake_fd) within ms; 1 ready, 0 not, -1 woken. */
static int
wait_fd(int fd, short events, int wake_fd, long long ms)
{
	struct pollfd p[2] = { { .fd = fd, .events = events },
			       { .fd = wake_fd, .events = POLLIN } };
	int rc;

	if (ms < 0)
		ms = 0;
	if (ms > 60000)
		ms = 60000;
	rc = poll(p, wake_fd >= 0 ? 2 : 1, (int)ms);
	if (rc < 0)
		return errno == EINTR ? -1 : 0;
	if (wake_fd >= 0 && (p[1].revents & POLLIN))
		return -1;
	return rc > 0 ? 1 : 0;
}

/* Sends all of buf within ms. */
static int
send_all(struct watch_stream *s, const char *buf, size_t len, long long ms,
	 struct diag *d)
{
	long long end = watch_now_ms() + ms;

	while (len) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(s->easy, buf, len, &n);

		if (rc == CURLE_AGAIN) {
			if (watch_now_ms() >= end ||
			    wait_fd(s->fd, POLLOUT, -1,
				    end - watch_now_ms()) <= 0) {
				if (watch_now_ms() < end)
					continue;
				diag_set(d, "the event stream: sending timed "
					 "out");
				return -1;
			}
			continue;
		}
		if (rc != CURLE_OK) {
			diag_set(d, "the event stream: %s",
				 curl_easy_strerror(rc));
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static int
send_frame(struct watch_stream *s, enum ws_op op, const void *p, size_t len,
	   struct diag *d)
{
	struct strbuf f = STRBUF_INIT;
	unsigned char mask[4];
	int rc;

	if (RAND_bytes(mask, 4) != 1) {
		diag_set(d, "the event stream: no random bytes for a mask");
		return -1;
	}
	ws_frame_build(&f, op, p, len, mask);
	rc = send_all(s, f.buf, f.len, 5000, d);
	strbuf_release(&f);
	return rc;
}

/* "host:port" of an https:// URL, for the Host header. */
static char *
host_of(const char *url)
{
	const char *h = strstr(url, "://");

	h = h ? h + 3 : url;
	return xstrndup(h, strcspn(h, "/?#"));
}

int
watch_stream_open(struct watch_stream *s, struct lxd_client *c,
		  const struct lxd_endpoint *ep, long ms, struct diag *d)
{
	long long end = watch_now_ms() + ms;
	char key[25], why[256];
	struct strbuf req = STRBUF_INIT, ans = STRBUF_INIT;
	curl_socket_t sock = CURL_SOCKET_BAD;
	char *host;
	CURLcode rc;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	ws_reader_init(&s->rd);
	s->easy = curl_easy_init();
	if (!s->easy || lxd_client_setup_raw(c, s->easy, WATCH_EVENTS_PATH)) {
		diag_set(d, "the event stream: cannot set up libcurl");
		return -1;
	}
	curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS,
			 ms > 0 ? ms : 10000L);
	rc = curl_easy_perform(s->easy);
	if (rc != CURLE_OK) {
		diag_set(d, "the event stream: cannot connect to %s: %s",
			 ep->label, curl_easy_strerror(rc));
		return -1;
	}
	if (curl_easy_getinfo(s->easy, CURLINFO_ACTIVESOCKET, &sock) !=
		    CURLE_OK || sock == CURL_SOCKET_BAD) {
		diag_set(d, "the event stream: no socket from libcurl");
		return -1;
	}
	s->fd = (int)sock;
	if (ws_key_new(key) != 0) {
		diag_set(d, "the event stream: no random bytes for a key");
		return -1;
	}
	host = ep->url ? host_of(ep->url) : xstrdup("lxd");
	strbuf_addf(&req,
		    "GET %s HTTP/1.1\r\n"
		    "Host: %s\r\n"
		    "User-Agent: lxd-harden/" LXDH_VERSION "\r\n"
		    "Upgrade: websocket\r\n"
		    "Connection: Upgrade\r\n"
		    "Sec-WebSocket-Key: %s\r\n"
		    "Sec-WebSocket-Version: 13\r\n"
		    "\r\n",
		    WATCH_EVENTS_PATH, host, key);
	free(host);
	if (send_all(s, req.buf, req.len, end - watch_now_ms(), d) != 0)
		goto out;
	for (;;) {
		char buf[4096];
		size_t n = 0, used = 0;
		int st;

		rc = curl_easy_recv(s->easy, buf, sizeof(buf), &n);
		if (rc == CURLE_AGAIN) {
			if (watch_now_ms() >= end ||
			    wait_fd(s->fd, POLLIN, -1, end - watch_now_ms()) <
				    0) {
				diag_set(d, "the event stream: no answer to "
					 "the upgrade request within %ld ms",
					 ms);
				goto out;
			}
			continue;
		}
		if (rc != CURLE_OK || n == 0) {
			diag_set(d, "the event stream: the connection ended "
				 "during the upgrade (%s)",
				 rc != CURLE_OK ? curl_easy_strerror(rc) :
						  "closed by the server");
			goto out;
		}
		strbuf_add(&ans, buf, n);
		st = ws_handshake_parse(ans.buf, ans.len, key, &used, why,
					sizeof(why));
		if (st < 0) {
			diag_set(d, "the event stream: %s", why);
			goto out;
		}
		if (st == 0)
			continue;
		if (ws_reader_feed(&s->rd, ans.buf + used, ans.len - used, why,
				   sizeof(why)) != 0) {
			diag_set(d, "the event stream: %s", why);
			goto out;
		}
		break;
	}
	s->last_rx_ms = watch_now_ms();
	ret = 0;
out:
	strbuf_release(&req);
	strbuf_release(&ans);
	return ret;
}

int
watch_stream_next(struct watch_stream *s, int wake_fd, long ms,
		  json_t **event, struct diag *d)
{
	long long end = watch_now_ms() + ms;

	*event = NULL;
	for (;;) {
		struct ws_msg m;
		char why[256];
		char buf[16384];
		size_t n = 0;
		CURLcode rc;

		switch (ws_reader_next(&s->rd, &m, why, sizeof(why))) {
		case WS_EV_MESSAGE: {
			json_error_t err;
			json_t *j = json_loadb(m.data, m.len, JSON_REJECT_DUPLICATES,
					       &err);

			if (!json_is_object(j)) {
				json_decref(j);
				diag_set(d, "the event stream sent a message "
					 "that is not a JSON object");
				return -1;
			}
			*event = j;
			return 1;
		}
		case WS_EV_PING:
			if (send_frame(s, WS_OP_PONG, m.data, m.len, d) != 0)
				return -1;
			continue;
		case WS_EV_PONG:
			continue;
		case WS_EV_CLOSE:
			diag_set(d, "the server closed the event stream "
				 "(code %u)", m.close_code);
			return -1;
		case WS_EV_ERROR:
			diag_set(d, "the event stream: %s", why);
			return -1;
		case WS_EV_NONE:
			break;
		}
		rc = curl_easy_recv(s->easy, buf, sizeof(buf), &n);
		if (rc == CURLE_AGAIN) {
			long long left = end - watch_now_ms();
			int w;

			if (left <= 0)
				return 0;
			w = wait_fd(s->fd, POLLIN, wake_fd, left);
			if (w < 0)
				return 0;
			continue;
		}
		if (rc != CURLE_OK || n == 0) {
			diag_set(d, "the event stream ended (%s)",
				 rc != CURLE_OK ? curl_easy_strerror(rc) :
						  "closed by the server");
			return -1;
		}
		s->last_rx_ms = watch_now_ms();
		if (ws_reader_feed(&s->rd, buf, n, why, sizeof(why)) != 0) {
			diag_set(d, "the event stream: %s", why);
			return -1;
		}
	}
}

int
watch_stream_ping(struct watch_stream *s, struct diag *d)
{
	return send_frame(s, WS_OP_PING, "lxd-harden", 10, d);
}

void
watch_stream_close(struct watch_stream *s)
{
	if (s->easy) {
		if (s->fd >= 0 && !s->rd.closed) {
			struct diag d;
			unsigned char code[2] = { 0x03, 0xe8 };	/* 1000 */
			struct strbuf f = STRBUF_INIT;
			unsigned char mask[4] = { 0 };

			if (RAND_bytes(mask, 4) == 1) {
				ws_frame_build(&f, WS_OP_CLOSE, code, 2, mask);
				(void)send_all(s, f.buf, f.len, 200, &d);
			}
			strbuf_release(&f);
		}
		curl_easy_cleanup(s->easy);
	}
	ws_reader_release(&s->rd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
