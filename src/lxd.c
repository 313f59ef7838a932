/* lxd.c - the LXD REST API over a unix socket or HTTPS, with libcurl */
#include "lxd.h"

#include <curl/curl.h>
#include <errno.h>
#include <grp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "checks/common.h"
#include "deadline.h"
#include "escape.h"
#include "jsonlim.h"
#include "lxdh_config.h"

#define LXD_MAX_BODY ((size_t)256 << 20)
#define LXD_CONNECT_TIMEOUT_MS 10000L
#define LXD_TIMEOUT_MS 120000L
/*
 * Transfers at once: every request of the first round after /1.0 (at
 * most a dozen) fits, so that none waits for another to end.
 */
#define LXD_MAX_CONNECTIONS 16L
#define LXD_RAW_SNIPPET 80
#define LXD_ERROR_TEXT 200

struct lxd_client {
	char *socket_path;
	char *url;
	char *client_cert;
	char *client_key;
	char *server_cert;
	char *pin;		/* "sha256//BASE64" of the pinned key */
	char *where;		/* "unix:///path" or the URL */
	CURLSH *share;
	CURL *easy;		/* for lxd_get(); keeps its connection */
	size_t requests;
	long timeout_ms;	/* of each request; lxd_client_set_timeout() */
	long write_timeout_ms;	/* of lxd_send(), its wait included */
};

/* One GET in flight: what the callbacks collect. */
struct xfer {
	const char *path;
	struct strbuf body;
	char *etag;
	char *reason;
	bool too_large;
	struct jsonlim_scan scan;	/* of the body so far */
	char *refused;		/* why the body was cut off at a cap */
	long timeout_ms;	/* what this request was given */
	bool late;		/* the deadline had passed before it began */
	bool by_deadline;	/* its limit is what was left of the deadline */
	bool share;		/* lxd_request.share */
	jsonlim_item_fn *each;	/* and .each, .each_arg */
	const void *each_arg;
	char errbuf[CURL_ERROR_SIZE];
};

const char *
product_client(const char *product)
{
	return str_eq(product, "incus") ? "incus" : "lxc";
}

void
lxd_endpoint_release(struct lxd_endpoint *ep)
{
	if (!ep)
		return;
	free(ep->socket_path);
	free(ep->url);
	free(ep->client_cert);
	free(ep->client_key);
	free(ep->server_cert);
	free(ep->label);
	memset(ep, 0, sizeof(*ep));
}

void
lxd_response_release(struct lxd_response *r)
{
	if (!r)
		return;
	json_decref(r->body);
	free(r->etag);
	memset(r, 0, sizeof(*r));
}

static void
response_init(struct lxd_response *r)
{
	memset(r, 0, sizeof(*r));
	r->err = LXD_OK;
}

/*
 * Text that came from the server goes into one-line messages that end up
 * on a terminal, so control characters become '?' and the length is
 * capped. Raw bodies are not known to be UTF-8 and keep printable ASCII
 * only; JSON strings are valid UTF-8 and keep everything but the C0 and
 * C1 controls. Caller frees.
 */
static char *
clean_text(const char *s, size_t len, size_t max, bool utf8)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0;

	strbuf_add(&sb, "", 0);
	while (i < len) {
		unsigned char ch = (unsigned char)s[i];
		size_t n = 1;

		if (utf8 && ch >= 0x80) {
			if (ch >= 0xf0)
				n = 4;
			else if (ch >= 0xe0)
				n = 3;
			else if (ch >= 0xc0)
				n = 2;
			if (i + n > len)
				n = len - i;
		}
		if (sb.len + n > max) {
			strbuf_addstr(&sb, "...");
			break;
		}
		if (ch < 0x20 || ch == 0x7f || (!utf8 && ch >= 0x80) ||
		    (ch == 0xc2 && n == 2 &&
		     (unsigned char)s[i + 1] < 0xa0))
			strbuf_addch(&sb, '?');
		else
			strbuf_add(&sb, s + i, n);
		i += n;
	}
	return strbuf_detach(&sb);
}

static const char *
status_text(long code)
{
	static const struct {
		long code;
		const char *text;
	} texts[] = {
		{ 200, "OK" },
		{ 201, "Created" },
		{ 202, "Accepted" },
		{ 204, "No Content" },
		{ 301, "Moved Permanently" },
		{ 302, "Found" },
		{ 304, "Not Modified" },
		{ 307, "Temporary Redirect" },
		{ 308, "Permanent Redirect" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 406, "Not Acceptable" },
		{ 408, "Request Timeout" },
		{ 409, "Conflict" },
		{ 410, "Gone" },
		{ 412, "Precondition Failed" },
		{ 413, "Request Entity Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 429, "Too Many Requests" },
		{ 500, "Internal Server Error" },
		{ 501, "Not Implemented" },
		{ 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		if (texts[i].code == code)
			return texts[i].text;
	return NULL;
}

/* "404 Not Found", with the server's reason phrase only as a fallback. */
static void
status_line(long code, const char *reason, char *buf, size_t len)
{
	const char *text = status_text(code);

	if (!text && !str_empty(reason))
		text = reason;
	if (text)
		snprintf(buf, len, "%ld %s", code, text);
	else
		snprintf(buf, len, "%ld", code);
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	char why[256];

	if (n > LXD_MAX_BODY - x->body.len) {
		x->too_large = true;
		return 0;
	}
	/* over a cap on shape: stop receiving what will be refused anyway */
	if (!x->scan.lim)
		jsonlim_scan_init(&x->scan, &jsonlim_server);
	if (jsonlim_scan(&x->scan, data, n, why, sizeof(why)) != 0) {
		x->refused = xstrdup(why);
		return 0;
	}
	strbuf_add(&x->body, data, n);
	return n;
}

static char *
header_value(const char *line, size_t len, size_t skip)
{
	const char *v = line + skip;
	const char *end = line + len;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			   end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return clean_text(v, (size_t)(end - v), 256, false);
}

static size_t
header_cb(char *line, size_t size, size_t nitems, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nitems;

	if (n >= 5 && !strncmp(line, "HTTP/", 5)) {
		/* a new response (after a 100 Continue, say) */
		const char *sp = memchr(line, ' ', n);

		free(x->etag);
		free(x->reason);
		x->etag = x->reason = NULL;
		if (sp)
			sp = memchr(sp + 1, ' ', n - (size_t)(sp + 1 - line));
		if (sp)
			x->reason = header_value(line, n,
						 (size_t)(sp + 1 - line));
	} else if (n >= 5 && !strncasecmp(line, "etag:", 5)) {
		free(x->etag);
		x->etag = header_value(line, n, 5);
	}
	return n;
}

static void
xfer_release(struct xfer *x)
{
	strbuf_release(&x->body);
	free(x->etag);
	free(x->reason);
	free(x->refused);
	memset(x, 0, sizeof(*x));
}

/* Options every handle of a client shares; set once per handle. */
static int
easy_setup(struct lxd_client *c, CURL *e)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                        \
	do {                                                 \
		if (rc == CURLE_OK)                          \
			rc = curl_easy_setopt(e, opt, val);  \
	} while (0)

	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_USERAGENT, "lxd-harden/" LXDH_VERSION);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)LXD_MAX_BODY);
	SET(CURLOPT_SHARE, c->share);
	SET(CURLOPT_WRITEFUNCTION, write_cb);
	SET(CURLOPT_HEADERFUNCTION, header_cb);
	SET(CURLOPT_HTTPGET, 1L);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	if (c->socket_path) {
		SET(CURLOPT_UNIX_SOCKET_PATH, c->socket_path);
		SET(CURLOPT_PROTOCOLS_STR, "http");
		SET(CURLOPT_NOPROXY, "*");
	} else {
		SET(CURLOPT_PROTOCOLS_STR, "https");
		SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
		SET(CURLOPT_SSL_VERIFYPEER, 1L);
		if (c->client_cert) {
			SET(CURLOPT_SSLCERT, c->client_cert);
			SET(CURLOPT_SSLCERTTYPE, "PEM");
		}
		if (c->client_key) {
			SET(CURLOPT_SSLKEY, c->client_key);
			SET(CURLOPT_SSLKEYTYPE, "PEM");
		}
		if (c->server_cert) {
			/*
			 * lxc stores the server's self-signed certificate,
			 * whose names need not match the address; trust
			 * exactly that certificate and its key instead.
			 */
			SET(CURLOPT_CAINFO, c->server_cert);
			SET(CURLOPT_CAPATH, NULL);
			SET(CURLOPT_SSL_VERIFYHOST, 0L);
			SET(CURLOPT_PINNEDPUBLICKEY, c->pin);
		} else {
			SET(CURLOPT_SSL_VERIFYHOST, 2L);
		}
	}
#undef SET
	return rc == CURLE_OK ? 0 : -1;
}

int
lxd_client_setup_raw(struct lxd_client *c, void *easy, const char *path)
{
	CURL *e = easy;
	char *url;
	CURLcode rc;

	if (easy_setup(c, e) != 0)
		return -1;
	url = xasprintf("%s%s", c->socket_path ? "http://lxd" : c->url, path);
	rc = curl_easy_setopt(e, CURLOPT_URL, url);
	free(url);
	/* a connection of its own, never one of the client's */
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_SHARE, NULL);
	/* the upgrade is HTTP/1.1: TLS must not agree on h2 (ALPN) */
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
				      (long)CURL_HTTP_VERSION_1_1);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
				      (long)LXD_CONNECT_TIMEOUT_MS);
	c->requests++;
	return rc == CURLE_OK ? 0 : -1;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The time a request may take: the client's limit (or limit_ms when
 * smaller and not 0), cut to what is left of an armed deadline. Never 0,
 * which libcurl reads as "no limit": a deadline already gone gives 1 ms.
 */
static long
request_limit(const struct lxd_client *c, long limit_ms, bool *by_deadline)
{
	long long t = c->timeout_ms;

	if (limit_ms > 0 && limit_ms < t)
		t = limit_ms;
	*by_deadline = deadline_left_ms() < t;
	if (*by_deadline)
		t = deadline_left_ms();
	return t > 0 ? (long)t : 1L;
}

static int
easy_start(struct lxd_client *c, CURL *e, struct xfer *x, const char *path)
{
	char *url;
	CURLcode rc;

	x->late = deadline_passed();
	x->timeout_ms = request_limit(c, x->timeout_ms, &x->by_deadline);
	url = xasprintf("%s%s", c->socket_path ? "http://lxd" : c->url, path);
	rc = curl_easy_setopt(e, CURLOPT_URL, url);
	free(url);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, x->timeout_ms);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
				      x->timeout_ms < LXD_CONNECT_TIMEOUT_MS ?
					      x->timeout_ms :
					      LXD_CONNECT_TIMEOUT_MS);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	c->requests++;
	return rc == CURLE_OK ? 0 : -1;
}

/* Connects to the socket ourselves to learn the errno libcurl hides. */
static int
unix_probe(const char *path)
{
	struct sockaddr_un sa;
	int fd, err = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		err = errno;
	close(fd);
	return err;
}

static void
perm_message(const struct lxd_client *c, const char *path, struct diag *d)
{
	const char *sock = c->socket_path;
	char buf[1024];
	struct stat st;
	struct group gr, *grp = NULL;
	struct passwd pw, *pwp = NULL;

	if (stat(sock, &st) != 0 || (st.st_mode & 0006) == 0006) {
		diag_set(d, "GET %s: permission denied on '%s': a directory "
			    "above it is not accessible", path, sock);
	} else if ((st.st_mode & 0060) == 0060) {
		getgrgid_r(st.st_gid, &gr, buf, sizeof(buf), &grp);
		if (grp)
			diag_set(d, "GET %s: permission denied on '%s': only "
				    "root and members of group '%s' may use it",
				 path, sock, grp->gr_name);
		else
			diag_set(d, "GET %s: permission denied on '%s': only "
				    "root and members of group %lu may use it",
				 path, sock, (unsigned long)st.st_gid);
	} else if (st.st_uid != 0 && (st.st_mode & 0600) == 0600) {
		getpwuid_r(st.st_uid, &pw, buf, sizeof(buf), &pwp);
		if (pwp)
			diag_set(d, "GET %s: permission denied on '%s': only "
				    "root and user '%s' may use it",
				 path, sock, pwp->pw_name);
		else
			diag_set(d, "GET %s: permission denied on '%s': only "
				    "root and user %lu may use it",
				 path, sock, (unsigned long)st.st_uid);
	} else {
		diag_set(d, "GET %s: permission denied on '%s': only root may "
			    "use it", path, sock);
	}
}

static const char *
curl_text(const struct xfer *x, CURLcode rc)
{
	return x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
}

/* err: the errno when known (0 not); refused or missing get a next step. */
static void
connect_error(const struct lxd_client *c, const char *path, const char *why,
	      int err, struct diag *d)
{
	const char *next = "";

	if (err == ECONNREFUSED && c->socket_path)
		next = " (no daemon listens on this socket: is it running? "
		       "or name its socket with --socket PATH)";
	else if (err == ENOENT && c->socket_path)
		next = " (no socket there: is the daemon running? or name "
		       "its socket with --socket PATH)";
	else if (err == ECONNREFUSED)
		next = " (is the daemon running, and is core.https_address "
		       "this address and port?)";
	diag_set(d, "GET %s: cannot connect to '%s': %s%s", path, c->where,
		 why, next);
}

/*
 * How to pin the certificate of a server that did not verify: where to
 * get it, and the two ways to give it. Caller frees.
 */
static char *
pin_hint(const struct lxd_client *c)
{
	const char *hp = c->url + strlen("https://");
	char *q = checks_shq(hp);
	char *s = xasprintf(" (pin its certificate: --server-cert FILE, "
			    "fetched with: openssl s_client -connect %s "
			    "</dev/null | openssl x509 > server.crt and its "
			    "fingerprint compared; or 'lxc remote add' / "
			    "'incus remote add' it and use --remote NAME)", q);

	free(q);
	return s;
}

/* Maps a transfer that did not complete to an error class and message. */
static void
transport_error(const struct lxd_client *c, CURL *e, const struct xfer *x,
		CURLcode rc, struct lxd_response *out, struct diag *d)
{
	const char *path = x->path;
	long oserr = 0;
	char *hint;

	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		out->err = LXD_ERR_CONNECT;
		if (c->socket_path) {
			int err = unix_probe(c->socket_path);

			if (err == EACCES || err == EPERM) {
				out->err = LXD_ERR_PERM;
				perm_message(c, path, d);
				return;
			}
			if (err) {
				connect_error(c, path, strerror(err), err, d);
				return;
			}
		}
		curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &oserr);
		if (rc == CURLE_COULDNT_CONNECT && oserr > 0)
			connect_error(c, path, strerror((int)oserr), (int)oserr,
				      d);
		else
			connect_error(c, path, curl_text(x, rc), 0, d);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		out->err = LXD_ERR_TIMEOUT;
		if (x->late) {
			char *what = xasprintf("GET %s", path);

			deadline_note_unsent(what);
			free(what);
			diag_set(d, "GET %s: not sent: the deadline had passed",
				 path);
		} else if (x->by_deadline) {
			char *what = xasprintf("GET %s", path);

			deadline_note(what);
			free(what);
			diag_set(d, "GET %s: no complete answer from '%s' "
				    "before the deadline", path, c->where);
		} else {
			diag_set(d, "GET %s: no complete answer from '%s' "
				    "within %ld ms", path, c->where,
				 x->timeout_ms);
		}
		return;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		out->err = LXD_ERR_CONNECT;
		diag_set(d, "GET %s: connection to '%s' failed: %s", path,
			 c->where, curl_text(x, rc));
		return;
	case CURLE_SSL_CERTPROBLEM:
		out->err = LXD_ERR_TLS;
		diag_set(d, "GET %s: cannot use client certificate '%s': %s",
			 path, c->client_cert ? c->client_cert : "(none)",
			 curl_text(x, rc));
		return;
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		out->err = LXD_ERR_TLS;
		diag_set(d, "GET %s: server certificate of '%s' did not "
			    "verify: its key is not the one in '%s'",
			 path, c->where, c->server_cert);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
		out->err = LXD_ERR_TLS;
		hint = c->server_cert ? NULL : pin_hint(c);
		diag_set(d, "GET %s: server certificate of '%s' did not "
			    "verify: %s%s", path, c->where, curl_text(x, rc),
			 hint ? hint : "");
		free(hint);
		return;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		out->err = LXD_ERR_TLS;
		diag_set(d, "GET %s: TLS handshake with '%s' failed: %s", path,
			 c->where, curl_text(x, rc));
		return;
	case CURLE_FILESIZE_EXCEEDED:
		out->err = LXD_ERR_PROTO;
		diag_set(d, "GET %s: answer refused: a body larger than %zu "
			    "MiB (the cap on one answer)", path,
			 LXD_MAX_BODY >> 20);
		return;
	case CURLE_PARTIAL_FILE:
		/* a close in the middle of the answer */
		out->err = LXD_ERR_PROTO;
		diag_set(d, "GET %s: incomplete answer from '%s': %s", path,
			 c->where, curl_text(x, rc));
		return;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_UNSUPPORTED_PROTOCOL:
		out->err = LXD_ERR_PROTO;
		diag_set(d, "GET %s: not an LXD API response (%s)", path,
			 curl_text(x, rc));
		return;
	default:
		out->err = LXD_ERR_CONNECT;
		diag_set(d, "GET %s: request to '%s' failed: %s", path,
			 c->where, curl_text(x, rc));
		return;
	}
}

static bool
looks_like_json(const struct strbuf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		char ch = b->buf[i];

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			continue;
		return ch == '{' || ch == '[';
	}
	return false;
}

/*
 * Fills why with the reason a body is no envelope, or returns NULL;
 * *over_cap says the body was refused for a cap (jsonlim.h).
 */
static json_t *
decode(const struct xfer *x, bool *over_cap, char *why, size_t len)
{
	json_t *j;
	char *s;

	*over_cap = false;
	if (!x->body.len) {
		snprintf(why, len, "empty body");
		return NULL;
	}
	if (!looks_like_json(&x->body)) {
		s = clean_text(x->body.buf, x->body.len, LXD_RAW_SNIPPET,
			       false);
		snprintf(why, len, "body is not JSON: '%s'", s);
		free(s);
		return NULL;
	}
	j = x->share ? jsonlim_loadb_items(x->body.buf, x->body.len,
					   JSON_REJECT_DUPLICATES,
					   &jsonlim_server, x->each,
					   x->each_arg, over_cap, why, len) :
		       jsonlim_loadb(x->body.buf, x->body.len,
				     JSON_REJECT_DUPLICATES, &jsonlim_server,
				     over_cap, why, len);
	if (!j)
		return NULL;
	if (!json_is_object(j) ||
	    !json_is_string(json_object_get(j, "type"))) {
		snprintf(why, len, "JSON without the LXD envelope");
		json_decref(j);
		return NULL;
	}
	return j;
}

int
lxd_envelope_check(const json_t *j, long http_status, char *why, size_t len)
{
	const char *type = json_string_value(json_object_get(j, "type"));
	const json_t *sc = json_object_get(j, "status_code");
	const json_t *ec = json_object_get(j, "error_code");
	bool ok2xx = http_status >= 200 && http_status <= 299;
	json_int_t want_sc;

	if (!json_is_object(j) || !type) {
		snprintf(why, len, "JSON without the LXD envelope");
		return -1;
	}
	if (str_eq(type, "sync"))
		want_sc = 200;
	else if (str_eq(type, "async"))
		want_sc = 100;
	else if (str_eq(type, "error"))
		want_sc = 0;
	else {
		snprintf(why, len, "envelope type is not sync, async or error");
		return -1;
	}
	if (!json_is_integer(sc) || json_integer_value(sc) != want_sc) {
		snprintf(why, len, "a %s envelope needs status_code %lld, "
			 "not %s", type, (long long)want_sc,
			 json_is_integer(sc) ? "another number" :
			 sc		    ? "a non-integer" :
					      "none");
		return -1;
	}
	if (ec && !json_is_integer(ec)) {
		snprintf(why, len, "error_code is not an integer");
		return -1;
	}
	if (want_sc) {
		if (json_integer_value(ec) != 0) {
			snprintf(why, len, "a %s envelope with error_code %lld",
				 type, (long long)json_integer_value(ec));
			return -1;
		}
		if (!json_object_get(j, "metadata")) {
			snprintf(why, len, "%s envelope without metadata", type);
			return -1;
		}
		if (want_sc == 100 && !json_is_object(json_object_get(j,
							"metadata"))) {
			snprintf(why, len, "async envelope whose metadata is "
				 "not an operation");
			return -1;
		}
		if (http_status && !ok2xx) {
			snprintf(why, len, "a %s envelope with HTTP status %ld",
				 type, http_status);
			return -1;
		}
		return 0;
	}
	if (json_integer_value(ec) < 400 || json_integer_value(ec) > 599) {
		snprintf(why, len, "an error envelope needs an error_code of "
			 "400-599");
		return -1;
	}
	if (http_status && http_status != json_integer_value(ec)) {
		snprintf(why, len, "an error envelope with error_code %lld "
			 "and HTTP status %ld",
			 (long long)json_integer_value(ec), http_status);
		return -1;
	}
	if (!http_status) {
		snprintf(why, len, "an error answer (%lld), not data",
			 (long long)json_integer_value(ec));
		return -1;
	}
	return 0;
}

/* Turns a completed transfer into out and d; 0 only for a sync answer. */
static int
finish(const struct lxd_client *c, CURL *e, struct xfer *x, CURLcode rc,
       struct lxd_response *out, struct diag *d)
{
	const char *path = x->path;
	char why[256], status[64];
	const char *type, *text;
	bool over_cap;
	json_t *j;
	long code = 0;
	char *s;

	response_init(out);
	if (x->too_large) {
		out->err = LXD_ERR_PROTO;
		diag_set(d, "GET %s: answer refused: a body larger than "
			    "%zu MiB (the cap on one answer)", path,
			 LXD_MAX_BODY >> 20);
		return -1;
	}
	if (x->refused) {
		out->err = LXD_ERR_PROTO;
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
		out->http_status = code;
		status_line(code, x->reason, status, sizeof(status));
		diag_set(d, "GET %s: answer refused (%s): %s", path, status,
			 x->refused);
		return -1;
	}
	if (rc != CURLE_OK) {
		transport_error(c, e, x, rc, out, d);
		return -1;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	out->http_status = code;
	out->etag = x->etag;
	x->etag = NULL;
	status_line(code, x->reason, status, sizeof(status));
	j = decode(x, &over_cap, why, sizeof(why));
	if (over_cap) {
		out->err = LXD_ERR_PROTO;
		diag_set(d, "GET %s: answer refused (%s): %s", path, status,
			 why);
		return -1;
	}

	if (code < 200 || code > 299) {
		text = json_string_value(json_object_get(j, "error"));
		out->body = j;
		if (j && str_eq(json_string_value(json_object_get(j, "type")),
				"error") && !str_empty(text)) {
			out->err = LXD_ERR_HTTP;
			s = clean_text(text, strlen(text), LXD_ERROR_TEXT,
				       true);
			diag_set(d, "GET %s: %s: %s", path, status, s);
			free(s);
		} else if (j || !x->body.len || looks_like_json(&x->body)) {
			out->err = LXD_ERR_HTTP;
			diag_set(d, "GET %s: %s", path, status);
		} else {
			out->err = LXD_ERR_PROTO;
			diag_set(d, "GET %s: not an LXD API response (%s, %s)",
				 path, status, why);
		}
		return -1;
	}
	if (!j) {
		out->err = LXD_ERR_PROTO;
		diag_set(d, "GET %s: not an LXD API response (%s)", path, why);
		return -1;
	}
	out->body = j;
	if (lxd_envelope_check(j, code, why, sizeof(why)) != 0) {
		out->err = LXD_ERR_PROTO;
		s = clean_text(why, strlen(why), LXD_RAW_SNIPPET, true);
		diag_set(d, "GET %s: not an LXD API response (%s)", path, s);
		free(s);
		return -1;
	}
	type = json_string_value(json_object_get(j, "type"));
	if (str_eq(type, "sync")) {
		if (!json_object_get(j, "metadata")) {
			out->err = LXD_ERR_PROTO;
			diag_set(d, "GET %s: not an LXD API response (sync "
				    "envelope without metadata)", path);
			return -1;
		}
		out->metadata = json_object_get(j, "metadata");
		return 0;
	}
	if (str_eq(type, "error")) {
		json_t *jec = json_object_get(j, "error_code");
		json_int_t ec = json_integer_value(jec);

		text = json_string_value(json_object_get(j, "error"));
		s = clean_text(text ? text : "", text ? strlen(text) : 0,
			       LXD_ERROR_TEXT, true);
		out->err = LXD_ERR_HTTP;
		if (ec >= 100 && ec <= 599 && ec != code)
			status_line((long)ec, NULL, status, sizeof(status));
		diag_set(d, "GET %s: %s: %s", path, status, s);
		free(s);
		return -1;
	}
	out->err = LXD_ERR_PROTO;
	if (str_eq(type, "async")) {
		diag_set(d, "GET %s: not an LXD API response (an async "
			    "operation answered a GET)", path);
	} else {
		s = clean_text(type, strlen(type), LXD_RAW_SNIPPET, true);
		diag_set(d, "GET %s: not an LXD API response (envelope type "
			    "'%s')", path, s);
		free(s);
	}
	return -1;
}

static int
pem_no_password(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

static X509 *
load_cert(const char *file, const char *what, struct diag *d)
{
	FILE *f = fopen(file, "r");
	X509 *x;

	if (!f) {
		diag_set(d, "cannot use %s '%s': %s", what, file,
			 strerror(errno));
		return NULL;
	}
	x = PEM_read_X509(f, NULL, pem_no_password, NULL);
	fclose(f);
	if (!x)
		diag_set(d, "cannot use %s '%s': not a PEM certificate", what,
			 file);
	ERR_clear_error();
	return x;
}

/*
 * Loads the client certificate and key the way libcurl will, so that a
 * wrong file is reported once, up front, naming the file.
 */
static int
check_client_pair(const char *cert, const char *key, struct diag *d)
{
	X509 *x;
	EVP_PKEY *k;
	FILE *f;
	int ok;

	x = load_cert(cert, "client certificate", d);
	if (!x)
		return -1;
	f = fopen(key, "r");
	if (!f) {
		diag_set(d, "cannot use client key '%s': %s", key,
			 strerror(errno));
		X509_free(x);
		return -1;
	}
	k = PEM_read_PrivateKey(f, NULL, pem_no_password, NULL);
	fclose(f);
	if (!k) {
		diag_set(d, "cannot use client key '%s': not an unencrypted "
			    "PEM private key", key);
		X509_free(x);
		ERR_clear_error();
		return -1;
	}
	ok = X509_check_private_key(x, k);
	X509_free(x);
	EVP_PKEY_free(k);
	ERR_clear_error();
	if (ok != 1) {
		diag_set(d, "cannot use client certificate '%s': it does not "
			    "match key '%s'", cert, key);
		return -1;
	}
	return 0;
}

/* Caller frees: "sha256//BASE64" of the certificate's public key. */
static char *
pin_of(const char *file, struct diag *d)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
	unsigned char *der = NULL;
	X509 *x;
	int n;

	x = load_cert(file, "server certificate", d);
	if (!x)
		return NULL;
	n = i2d_PUBKEY(X509_get0_pubkey(x), &der);
	X509_free(x);
	if (n <= 0) {
		diag_set(d, "cannot use server certificate '%s': unreadable "
			    "public key", file);
		ERR_clear_error();
		return NULL;
	}
	SHA256(der, (size_t)n, md);
	OPENSSL_free(der);
	EVP_EncodeBlock(b64, md, SHA256_DIGEST_LENGTH);
	return xasprintf("sha256//%s", (const char *)b64);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct lxd_client *
lxd_client_new(const struct lxd_endpoint *ep, struct diag *d)
{
	static bool curl_ready;
	struct lxd_client *c;
	struct sockaddr_un sa;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			diag_set(d, "cannot initialise libcurl");
			return NULL;
		}
		curl_ready = true;
	}
	if (!ep->socket_path == !ep->url) {
		diag_set(d, "cannot connect: give either a unix socket or "
			    "an https URL");
		return NULL;
	}
	if (ep->socket_path &&
	    strlen(ep->socket_path) >= sizeof(sa.sun_path)) {
		diag_set(d, "cannot connect to 'unix://%s': socket path longer "
			    "than %zu bytes", ep->socket_path,
			 sizeof(sa.sun_path) - 1);
		return NULL;
	}
	if (ep->url && !!ep->client_cert != !!ep->client_key) {
		diag_set(d, "cannot connect to '%s': a client certificate "
			    "needs its key and the key its certificate",
			 ep->url);
		return NULL;
	}
	if (ep->url && ep->client_cert &&
	    check_client_pair(ep->client_cert, ep->client_key, d) != 0)
		return NULL;

	c = xcalloc(1, sizeof(*c));
	c->write_timeout_ms = LXD_WRITE_TIMEOUT_MS;
	if (ep->url && ep->server_cert) {
		c->pin = pin_of(ep->server_cert, d);
		if (!c->pin) {
			free(c);
			return NULL;
		}
	}
	if (ep->socket_path) {
		c->socket_path = xstrdup(ep->socket_path);
		c->where = xasprintf("unix://%s", ep->socket_path);
	} else {
		size_t len;

		c->url = xstrdup(ep->url);
		len = strlen(c->url);
		while (len && c->url[len - 1] == '/')
			c->url[--len] = '\0';
		c->where = xstrdup(c->url);
		c->client_cert = dup_or_null(ep->client_cert);
		c->client_key = dup_or_null(ep->client_key);
		c->server_cert = dup_or_null(ep->server_cert);
	}
	c->timeout_ms = LXD_TIMEOUT_MS;
	c->share = curl_share_init();
	c->easy = curl_easy_init();
	if (!c->share || !c->easy ||
	    curl_share_setopt(c->share, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_CONNECT) != CURLSHE_OK ||
	    curl_share_setopt(c->share, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
	    curl_share_setopt(c->share, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
	    easy_setup(c, c->easy) != 0) {
		diag_set(d, "cannot set up libcurl for '%s'", c->where);
		lxd_client_free(c);
		return NULL;
	}
	return c;
}

void
lxd_client_free(struct lxd_client *c)
{
	if (!c)
		return;
	/* the shared connection cache must outlive every handle using it */
	if (c->easy)
		curl_easy_cleanup(c->easy);
	if (c->share)
		curl_share_cleanup(c->share);
	free(c->socket_path);
	free(c->url);
	free(c->client_cert);
	free(c->client_key);
	free(c->server_cert);
	free(c->pin);
	free(c->where);
	free(c);
}

void
lxd_client_set_timeout(struct lxd_client *c, long ms)
{
	c->timeout_ms = ms > 0 ? ms : LXD_TIMEOUT_MS;
}

/* lxd_get() with a limit of its own (0: the client's). */
static int
get_within(struct lxd_client *c, const char *path, long limit_ms,
	   struct lxd_response *out, struct diag *d)
{
	struct xfer x = { .path = path, .timeout_ms = limit_ms };
	CURLcode rc;
	int ret;

	response_init(out);
	if (easy_start(c, c->easy, &x, path) != 0) {
		out->err = LXD_ERR_CONNECT;
		diag_set(d, "GET %s: cannot set up the request", path);
		curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, NULL);
		return -1;
	}
	rc = curl_easy_perform(c->easy);
	ret = finish(c, c->easy, &x, rc, out, d);
	/* the handle must not keep pointers into this stack frame */
	curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(c->easy, CURLOPT_HEADERDATA, NULL);
	xfer_release(&x);
	return ret;
}

int
lxd_get(struct lxd_client *c, const char *path, struct lxd_response *out,
	struct diag *d)
{
	return get_within(c, path, 0, out, d);
}

/* One request of a batch: its own handle and transfer, at a fixed place. */
struct slot {
	struct lxd_request *r;
	CURL *e;		/* NULL when it could not be set up */
	struct xfer x;
	bool done;
};

struct lxd_batch {
	struct lxd_client *c;
	CURLM *m;
	lxd_done_fn *done;
	void *ctx;
	struct slot **v;
	size_t n, alloc;
	size_t unstarted;	/* slots that could not be set up, not judged */
	size_t next_unstarted;	/* where to look for them */
};

struct lxd_batch *
lxd_batch_new(struct lxd_client *c, lxd_done_fn *done, void *ctx)
{
	struct lxd_batch *b = xcalloc(1, sizeof(*b));

	b->c = c;
	b->done = done;
	b->ctx = ctx;
	b->m = curl_multi_init();
	if (b->m)
		curl_multi_setopt(b->m, CURLMOPT_MAX_TOTAL_CONNECTIONS,
				  LXD_MAX_CONNECTIONS);
	return b;
}

void
lxd_batch_add(struct lxd_batch *b, struct lxd_request *r)
{
	struct slot *sl = xcalloc(1, sizeof(*sl));

	response_init(&r->resp);
	r->rc = 0;
	r->diag.msg[0] = '\0';
	sl->r = r;
	sl->x.path = r->path;
	sl->x.share = r->share;
	sl->x.each = r->each;
	sl->x.each_arg = r->each_arg;
	if (b->n == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 16;
		b->v = xrealloc(b->v, b->alloc * sizeof(*b->v));
	}
	b->v[b->n++] = sl;
	sl->e = b->m ? curl_easy_init() : NULL;
	if (!sl->e || easy_setup(b->c, sl->e) != 0 ||
	    easy_start(b->c, sl->e, &sl->x, r->path) != 0 ||
	    curl_easy_setopt(sl->e, CURLOPT_PRIVATE, (void *)sl) != CURLE_OK ||
	    curl_multi_add_handle(b->m, sl->e) != CURLM_OK) {
		if (sl->e)
			curl_easy_cleanup(sl->e);
		sl->e = NULL;
		b->unstarted++;
	}
}

/* Judges a finished request, frees what its transfer held, reports it. */
static void
slot_done(struct lxd_batch *b, struct slot *sl, CURLcode rc)
{
	struct lxd_request *r = sl->r;

	if (!sl->e) {
		response_init(&r->resp);
		r->resp.err = LXD_ERR_CONNECT;
		diag_set(&r->diag, "GET %s: cannot set up the request",
			 r->path);
		r->rc = -1;
	} else {
		r->rc = finish(b->c, sl->e, &sl->x, rc, &r->resp, &r->diag);
		curl_multi_remove_handle(b->m, sl->e);
		curl_easy_cleanup(sl->e);
		sl->e = NULL;
	}
	xfer_release(&sl->x);
	sl->done = true;
	if (b->done)
		b->done(b, r, b->ctx);
}

/* Reports the requests that could not be set up (each seen once). */
static void
judge_unstarted(struct lxd_batch *b)
{
	for (; b->unstarted && b->next_unstarted < b->n; b->next_unstarted++) {
		struct slot *sl = b->v[b->next_unstarted];

		if (!sl->done && !sl->e) {
			b->unstarted--;
			slot_done(b, sl, CURLE_FAILED_INIT);
		}
	}
}

void
lxd_batch_run(struct lxd_batch *b)
{
	int running = 0;

	/*
	 * Each answer is parsed as soon as it is complete, so that its raw
	 * body is freed before the next arrives: at most the bodies still
	 * in flight are held at once, never all of them. What the done
	 * callback adds joins the transfers in flight.
	 */
	for (;;) {
		struct CURLMsg *msg;
		int left;

		judge_unstarted(b);
		if (!b->m || curl_multi_perform(b->m, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(b->m, &left)) != NULL) {
			char *p = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					  &p);
			if (p)
				slot_done(b, (struct slot *)(void *)p,
					  msg->data.result);
		}
		judge_unstarted(b);
		if (!running) {
			/* what a callback added since the last perform */
			bool pending = false;

			for (size_t i = 0; i < b->n && !pending; i++)
				pending = !b->v[i]->done;
			if (!pending)
				break;
			continue;
		}
		if (curl_multi_poll(b->m, NULL, 0, 1000, NULL) != CURLM_OK)
			break;
	}
	/* what the loop did not see end (a failed multi handle) */
	for (size_t i = 0; i < b->n; i++)
		if (!b->v[i]->done)
			slot_done(b, b->v[i], CURLE_FAILED_INIT);
}

void
lxd_batch_free(struct lxd_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i]->e) {
			curl_multi_remove_handle(b->m, b->v[i]->e);
			curl_easy_cleanup(b->v[i]->e);
		}
		xfer_release(&b->v[i]->x);
		free(b->v[i]);
	}
	if (b->m)
		curl_multi_cleanup(b->m);
	free(b->v);
	free(b);
}

void
lxd_get_all(struct lxd_client *c, struct lxd_request *reqs, size_t n)
{
	struct lxd_batch *b;

	if (!n)
		return;
	b = lxd_batch_new(c, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		lxd_batch_add(b, &reqs[i]);
	lxd_batch_run(b);
	lxd_batch_free(b);
}

void
lxd_client_set_write_timeout(struct lxd_client *c, long ms)
{
	c->write_timeout_ms = ms > 0 ? ms : LXD_WRITE_TIMEOUT_MS;
}

size_t
lxd_client_requests(const struct lxd_client *c)
{
	return c ? c->requests : 0;
}

/*
 * finish() words its messages for GET; requests with another method say
 * theirs.
 */
static void
reword(struct diag *d, const char *method)
{
	char tmp[sizeof(d->msg)];

	if (!str_starts_with(d->msg, "GET "))
		return;
	snprintf(tmp, sizeof(tmp), "%s %s", method, d->msg + 4);
	memcpy(d->msg, tmp, sizeof(tmp));
}

/*
 * Waits for an async operation of a request and judges its outcome,
 * within limit_ms (what is left of the request's time).
 */
static int
wait_operation(struct lxd_client *c, const char *method, const char *path,
	       long limit_ms, struct lxd_response *out, struct diag *d)
{
	const char *op = json_string_value(json_object_get(out->body,
							   "operation"));
	struct lxd_response w;
	const char *status, *err;
	char *wpath;
	int rc;

	if (str_empty(op) || !str_starts_with(op, "/1.0/operations/")) {
		out->err = LXD_ERR_PROTO;
		diag_set(d, "%s %s: async answer without an operation",
			 method, path);
		return -1;
	}
	/*
	 * The id is one path segment, whatever the server put in it; LXD's
	 * wait ends a little before ours, so that its answer arrives.
	 */
	wpath = xasprintf("/1.0/operations/%s/wait?timeout=%ld",
			  urlq(op + strlen("/1.0/operations/")),
			  limit_ms > 2000 ? (limit_ms - 1000) / 1000 : 1L);
	rc = get_within(c, wpath, limit_ms, &w, d);
	free(wpath);
	if (rc != 0) {
		/* accepted, but how it ended is not known */
		out->err = w.err;
		out->unknown = true;
		lxd_response_release(&w);
		reword(d, method);
		return -1;
	}
	status = json_string_value(json_object_get(w.metadata, "status"));
	err = json_string_value(json_object_get(w.metadata, "err"));
	if (!str_eq(status, "Success")) {
		char *s = clean_text(err ? err : "", err ? strlen(err) : 0,
				     LXD_ERROR_TEXT, true);

		/* still running when the wait ended: not known either */
		out->unknown = !str_eq(status, "Failure") &&
			       !str_eq(status, "Cancelled");

		out->err = LXD_ERR_HTTP;
		diag_set(d, "%s %s: operation %s: %s", method, path,
			 status ? status : "failed", s);
		free(s);
		lxd_response_release(&w);
		return -1;
	}
	lxd_response_release(&w);
	out->err = LXD_OK;
	return 0;
}

int
lxd_send(struct lxd_client *c, const char *method, const char *path,
	 const json_t *body, const char *if_match, struct lxd_response *out,
	 struct diag *d)
{
	/* the write's own deadline, if shorter than the client's */
	struct xfer x = { .path = path, .timeout_ms = c->write_timeout_ms };
	struct curl_slist *hdr = NULL;
	char *json = NULL, *h;
	long long t0 = mono_ms();
	CURL *e;
	CURLcode rc;
	int ret;

	response_init(out);
	e = curl_easy_init();
	if (!e || easy_setup(c, e) != 0) {
		if (e)
			curl_easy_cleanup(e);
		out->err = LXD_ERR_CONNECT;
		diag_set(d, "%s %s: cannot set up the request", method, path);
		return -1;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	if (if_match) {
		h = xasprintf("If-Match: %s", if_match);
		hdr = curl_slist_append(hdr, h);
		free(h);
	}
	/* no "Expect: 100-continue" round trip */
	hdr = curl_slist_append(hdr, "Expect:");
	json = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (body && !json) {
		curl_slist_free_all(hdr);
		curl_easy_cleanup(e);
		out->err = LXD_ERR_PROTO;
		diag_set(d, "%s %s: cannot encode the body", method, path);
		return -1;
	}
	if (curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr) != CURLE_OK ||
	    /* a write is never sent twice: libcurl re-sends a request by
	       itself when a reused connection turns out dead */
	    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK ||
	    (json && (curl_easy_setopt(e, CURLOPT_POSTFIELDS, json) !=
			      CURLE_OK ||
		      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				       (curl_off_t)strlen(json)) !=
			      CURLE_OK)) ||
	    easy_start(c, e, &x, path) != 0) {
		out->err = LXD_ERR_CONNECT;
		diag_set(d, "%s %s: cannot set up the request", method, path);
		ret = -1;
		goto out;
	}
	rc = curl_easy_perform(e);
	ret = finish(c, e, &x, rc, out, d);
	if (rc != CURLE_OK && !x.too_large) {
		long sent = 0;

		/* some of the request went out: it may have been carried out */
		curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &sent);
		out->unknown = sent > 0;
	}
	if (ret != 0) {
		reword(d, method);
		if (out->body && str_eq(json_string_value(json_object_get(
						out->body, "type")),
					"async")) {
			long left = x.timeout_ms - (long)(mono_ms() - t0);

			out->metadata = json_object_get(out->body, "metadata");
			ret = wait_operation(c, method, path,
					     left > 0 ? left : 1L, out, d);
		}
	}
	if (ret != 0 && out->err == LXD_ERR_TIMEOUT && !x.by_deadline)
		diag_set(d, "%s %s: no complete answer from '%s' within %ld "
			    "ms; whether the change was made is unknown",
			 method, path, c->where, x.timeout_ms);
out:
	curl_slist_free_all(hdr);
	curl_easy_cleanup(e);
	xfer_release(&x);
	free(json);
	return ret;
}
