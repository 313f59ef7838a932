/* x509.c - what the checks need to know about a PEM certificate */
#include "x509.h"

#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* ASN1_TIME_diff against the epoch avoids timegm(), which C17 lacks. */
int
x509_time_epoch(const ASN1_TIME *t, long long *out)
{
	ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
	int days = 0, secs = 0, ok;

	/* ASN1_TIME_diff() would take a NULL t for the current time */
	if (!epoch || !t) {
		ASN1_TIME_free(epoch);
		return -1;
	}
	ok = ASN1_TIME_diff(&days, &secs, epoch, t);
	ASN1_TIME_free(epoch);
	if (!ok)
		return -1;
	*out = (long long)days * 86400 + secs;
	return 0;
}

static void
key_name(int id, char *buf, size_t len)
{
	const char *n;

	switch (id) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		n = "RSA";
		break;
	case EVP_PKEY_EC:
		n = "EC";
		break;
	case EVP_PKEY_ED25519:
		n = "ED25519";
		break;
	case EVP_PKEY_ED448:
		n = "ED448";
		break;
	case EVP_PKEY_DSA:
		n = "DSA";
		break;
	default:
		n = OBJ_nid2sn(id);
		break;
	}
	snprintf(buf, len, "%s", n ? n : "unknown");
}

static void
subject_line(const X509 *x, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n;

	buf[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
			       XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(b, &data);
		if (n > 0 && data) {
			size_t m = (size_t)n < len - 1 ? (size_t)n : len - 1;

			memcpy(buf, data, m);
			buf[m] = '\0';
		}
	}
	BIO_free(b);
}

int
x509_parse_pem(const char *pem, struct x509_info *out, struct diag *d)
{
	BIO *b;
	X509 *x = NULL;
	EVP_PKEY *key;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (str_empty(pem) || !strstr(pem, "-----BEGIN CERTIFICATE-----")) {
		diag_set(d, "no PEM certificate found");
		return -1;
	}
	b = BIO_new_mem_buf(pem, -1);
	if (!b) {
		diag_set(d, "out of memory reading the certificate");
		return -1;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x) {
		unsigned long e = ERR_peek_last_error();

		diag_set(d, "cannot parse the PEM certificate: %s",
			 e ? ERR_reason_error_string(e) : "malformed");
		goto out;
	}
	if (x509_time_epoch(X509_get0_notBefore(x), &out->not_before) != 0 ||
	    x509_time_epoch(X509_get0_notAfter(x), &out->not_after) != 0) {
		diag_set(d, "the certificate has an unreadable validity "
			    "period");
		goto out;
	}
	key = X509_get0_pubkey(x);
	if (!key) {
		diag_set(d, "the certificate has an unreadable public key");
		goto out;
	}
	key_name(EVP_PKEY_get_base_id(key), out->key_type,
		 sizeof(out->key_type));
	out->key_bits = EVP_PKEY_get_bits(key);
	subject_line(x, out->subject, sizeof(out->subject));
	rc = 0;
out:
	ERR_clear_error();
	X509_free(x);
	BIO_free(b);
	return rc;
}

int
x509_sha256_pem(const char *pem, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	BIO *b;
	X509 *x = NULL;
	int rc = -1;

	out[0] = '\0';
	if (str_empty(pem) || !strstr(pem, "-----BEGIN CERTIFICATE-----"))
		return -1;
	b = BIO_new_mem_buf(pem, -1);
	if (b)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (x && X509_digest(x, EVP_sha256(), md, &n) == 1 && n == 32) {
		for (unsigned int i = 0; i < n; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
		rc = 0;
	}
	ERR_clear_error();
	X509_free(x);
	BIO_free(b);
	return rc;
}
