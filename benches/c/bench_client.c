/*
 * Benchmark client: the same TLS client work done two ways, linked against
 * the same libfreertos_tls.a (release profile):
 *
 *   ours      through iot_tls.h (TLS_Init / TLS_Connect / TLS_Send / TLS_Recv /
 *             TLS_Cleanup), as a FreeRTOS application calls it;
 *   baseline  mbedTLS called directly, with the configuration TLS_Connect
 *             applies (same cipher suites, curves, signature hashes, maximum
 *             fragment length, CTR_DRBG, CA parse, host name check, SNI;
 *             benches/common/raw_client_config.c, which the firmware
 *             benchmark shares).
 *
 *   bench_client handshake <ours|baseline|both> <port> <ca.pem> <n> <label>
 *       n full handshakes (each, with both); one line per handshake:
 *       HS <label> <impl> <usec> <peak_bytes> <steady_bytes> <allocs> <cpu_usec>
 *   bench_client bulk <ours|baseline> <port> <ca.pem> <up|down> <bytes>
 *       one connection moving <bytes> of application data one way:
 *       BULK <dir> <impl> <bytes> <usec> <peak_bytes> <cpu_usec>
 *       With BENCH_CLIENT_CERT / BENCH_CLIENT_KEY set (PEM files), the baseline
 *       presents that client certificate (mutual TLS); ours takes its
 *       credential from the PKCS#11 token in SOFTHSM2_CONF.
 *   bench_client reconnect <port> <ca.pem> <n> <label>
 *       ours only: n rounds of connect + first echo (a 32-byte request and
 *       its answer), each round full and resumed, with TCP_NODELAY and with
 *       Nagle on (order flipped every round):
 *       RC <label> <full|resumed> <nodelay|nagle> <usec> <cpu_usec> <round>
 *   bench_client ram <port> <ca.pem> <k> <label>
 *       k connections open at once, ours and baseline, session tickets and
 *       resumption off on both: heap held per open connection, and what
 *       one session-cache entry holds (ours, resumption on):
 *       RAM <label> <in_len> <out_len> <impl> <k> <bytes_per_connection>
 *       CACHE <label> <bytes>
 *   bench_client handshake2 <portA> <portB> <ca.pem> <n> <labelA> <labelB>
 *       ours only: n pairs of full handshakes, one against each peer (order
 *       flipped every pair; scripts/bench-tls13.sh pins a different TLS
 *       version or group on each): HS lines as above.
 *   bench_client rtt <port> <ca.pem> <n> <label>
 *       ours only: n rounds of connect + first echo, full then resumed
 *       (TCP_NODELAY), logging what each transport send carried:
 *       RT <label> <full|resumed> <usec> <cpu_usec> <connect_sends> <first_send> <round>
 *       <connect_sends>: transport sends made inside TLS_Connect;
 *       <first_send>: the records (type:length,...) of the first transport
 *       send made inside the first TLS_Send.
 *   bench_client ram-ours <port> <ca.pem> <k> <label>
 *       as ram, ours only (the peer may pin TLS 1.3, which the baseline's
 *       TLS 1.2 configuration cannot speak).
 *   bench_client groups13 <port> <ca.pem> <n>
 *       baseline only, TLS 1.3: n pairs of full handshakes offering
 *       P-256 first and X25519 first (the key share is the first group's),
 *       order flipped every pair:
 *       GR <P-256|X25519> <usec> <peak_bytes> <cpu_usec>
 *   bench_client probe <ours|raw12|raw13|raw12-13> <port> <ca.pem> <req_file> <bytes> <label>
 *       record-size probe (see run_probe): one connection, one request,
 *       read until <bytes> arrived or it fails; PROBE line.
 *   bench_client entropy <ours|raw> <request_bytes> <requests>
 *       mbedtls_hardware_poll (posix port, health tests on) or getrandom(2):
 *       ENT <impl> <request_bytes> <total_bytes> <usec>
 *
 * <cpu_usec> is this process's CPU time (user + system) over the same
 * interval: unlike wall-clock time it leaves out time spent waiting while
 * other processes run, so it shows the client's own work on a busy machine.
 *
 * Heap use is counted by wrapping the allocator (link with
 * -Wl,--wrap=malloc,...): every allocation made from this program or from
 * the static archive (Rust and mbedTLS objects) goes through the wrappers.
 * Allocations inside shared libraries (libc itself, a PKCS#11 module) are
 * not seen. Sizes are malloc_usable_size(), i.e. what the C heap really
 * hands out, for both implementations alike.
 */
#define _GNU_SOURCE
#include "FreeRTOS.h"
#include "iot_tls.h"

#include "raw_client_config.h"

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/net_sockets.h" /* error codes only: the BIO is our own */
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"
#if defined(MBEDTLS_PSA_CRYPTO_C)
#include "psa/crypto.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ heap counting */

static size_t heap_now, heap_peak;
static unsigned long heap_allocs;

static void heap_add(void *p)
{
    if (p == NULL) return;
    heap_now += malloc_usable_size(p);
    heap_allocs++;
    if (heap_now > heap_peak) heap_peak = heap_now;
}

static void heap_sub(void *p)
{
    if (p != NULL) heap_now -= malloc_usable_size(p);
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
int __real_posix_memalign(void **out, size_t align, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
int __wrap_posix_memalign(void **out, size_t align, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);

void *__wrap_malloc(size_t n)
{
    void *p = __real_malloc(n);
    heap_add(p);
    return p;
}

void *__wrap_calloc(size_t k, size_t n)
{
    void *p = __real_calloc(k, n);
    heap_add(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    /* Account the old block out first: realloc may move or free it. */
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = __real_realloc(p, n);
    if (q == NULL && n != 0) return NULL; /* p is untouched */
    heap_now -= old;
    heap_add(q);
    return q;
}

void __wrap_free(void *p)
{
    heap_sub(p);
    __real_free(p);
}

int __wrap_posix_memalign(void **out, size_t align, size_t n)
{
    int rc = __real_posix_memalign(out, align, n);
    if (rc == 0) heap_add(*out);
    return rc;
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
    void *p = __real_aligned_alloc(align, n);
    heap_add(p);
    return p;
}

/* Start measuring one connection: returns the level to subtract. */
static size_t heap_mark(void)
{
    heap_peak = heap_now;
    heap_allocs = 0;
    return heap_now;
}

#ifdef BENCH_PKCS11_STUB
/* No PKCS#11 module: the library's credential lookup fails at its first
 * call, which isolates the TLS layer from the module's own cost. */
unsigned long C_GetFunctionList(void **list);
unsigned long C_GetFunctionList(void **list)
{
    if (list) *list = NULL;
    return 0x6UL; /* CKR_FUNCTION_FAILED */
}
#endif

/* ------------------------------------------------------------ helpers */

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(const char *what, long code)
{
    fprintf(stderr, "bench_client: %s failed (%ld / -0x%04lX)\n", what, code, code < 0 ? -code : code);
    exit(1);
}

static int tcp_nodelay = 1;

static int tcp_connect(int port)
{
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect", errno);
    /* Handshake flights are several small writes: Nagle plus delayed ACK
     * would add tens of milliseconds that belong to neither side. */
    if (tcp_nodelay) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static char *read_file(const char *path, size_t *len_with_nul)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;
    if (!f) die(path, errno);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = calloc(1, (size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) die("read ca", 0);
    fclose(f);
    *len_with_nul = (size_t)n + 1;
    return buf;
}

/* Blocking socket I/O shared by both implementations' transports. */
static long sock_recv_some(int fd, unsigned char *buf, size_t len)
{
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n > 0) return (long)n;
        if (n == 0) return -1;
        if (errno != EINTR) return -1;
    }
}

static long sock_send_some(int fd, const unsigned char *buf, size_t len)
{
    for (;;) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) return (long)n;
        if (errno != EINTR) return -1;
    }
}

/* ------------------------------------------------------------ ours */

static BaseType_t ours_recv_cb(void *ctx, unsigned char *buf, size_t len)
{
    return (BaseType_t)sock_recv_some(*(int *)ctx, buf, len);
}

/* Transport-send log (rtt mode): how many sends, and the record headers
 * the first logged one carried. */
static int send_log_on, send_calls;
static char first_send[256];

static void log_send(const unsigned char *buf, size_t len)
{
    size_t off = 0, used = 0;
    if (send_calls++ != 0) return;
    first_send[0] = '\0';
    while (off + 5 <= len && used + 16 < sizeof first_send) {
        unsigned rec = ((unsigned)buf[off + 3] << 8) | buf[off + 4];
        used += (size_t)snprintf(first_send + used, sizeof first_send - used, "%s%u:%u", used ? "," : "", buf[off], rec);
        off += 5 + rec;
    }
    if (off != len) snprintf(first_send + used, sizeof first_send - used, "%s", ",partial");
}

static BaseType_t ours_send_cb(void *ctx, const unsigned char *buf, size_t len)
{
    if (send_log_on) log_send(buf, len);
    return (BaseType_t)sock_send_some(*(int *)ctx, buf, len);
}

/* ------------------------------------------------------------ baseline */

/* The configuration TLS_Connect applies (src/tls/connection.rs), restated. */
/* Baseline client credential (mutual TLS rows), PEM file names or NULL. */
static const char *base_own_cert_file, *base_own_key_file;
/* Session tickets asked by the baseline (mbedTLS's default: on). */
static int base_tickets = MBEDTLS_SSL_SESSION_TICKETS_ENABLED;
/* groups13 / probe modes: the baseline's version range (0: as configured)
 * and group list (NULL: as configured). */
static int base_min_version, base_max_version;
static const uint16_t *base_tls13_groups;
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
/* The baseline's version range (raw_client_config.c already offers what
 * TLS_Connect offers for both versions: suites, groups, signature
 * algorithms), applied when the baseline is given one. */
static void raw13_configure(mbedtls_ssl_config *conf, int min, int max)
{
    mbedtls_ssl_conf_min_tls_version(conf, (mbedtls_ssl_protocol_version)min);
    mbedtls_ssl_conf_max_tls_version(conf, (mbedtls_ssl_protocol_version)max);
}
#endif

/* All contexts in one heap block, as the library keeps them. */
struct base_conn {
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca;
    mbedtls_x509_crt own_cert;
    mbedtls_pk_context own_key;
    int fd;
};

/* A raw mbedTLS program on Linux with this config (no MBEDTLS_ENTROPY_C)
 * seeds its DRBG from the kernel directly. */
static int base_entropy(void *unused, unsigned char *out, size_t len)
{
    (void)unused;
    while (len > 0) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
        }
        out += n;
        len -= (size_t)n;
    }
    return 0;
}

static int base_recv_cb(void *ctx, unsigned char *buf, size_t len)
{
    long n = sock_recv_some(*(int *)ctx, buf, len);
    return n < 0 ? MBEDTLS_ERR_NET_RECV_FAILED : (int)n;
}

static int base_send_cb(void *ctx, const unsigned char *buf, size_t len)
{
    long n = sock_send_some(*(int *)ctx, buf, len);
    return n < 0 ? MBEDTLS_ERR_NET_SEND_FAILED : (int)n;
}

static struct base_conn *base_connect(int fd, const char *ca, size_t ca_len)
{
    struct base_conn *c = calloc(1, sizeof *c);
    const char *step;
    int rc;
    if (c == NULL) die("calloc", 0);
    c->fd = fd;
    mbedtls_ssl_init(&c->ssl);
    mbedtls_ssl_config_init(&c->conf);
    mbedtls_ctr_drbg_init(&c->drbg);
    mbedtls_x509_crt_init(&c->ca);
    mbedtls_x509_crt_init(&c->own_cert);
    mbedtls_pk_init(&c->own_key);
    rc = bench_raw_configure(&c->conf, &c->drbg, &c->ca, ca, ca_len, base_entropy, NULL, base_tickets, &step);
    if (rc != 0) die(step, rc);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    if (base_min_version != 0) raw13_configure(&c->conf, base_min_version, base_max_version);
    if (base_tls13_groups != NULL) mbedtls_ssl_conf_groups(&c->conf, base_tls13_groups);
#endif
    if (base_own_cert_file != NULL) {
        /* Per connection, as ours reads its credential from the token. */
        /* This mbedTLS build has no file I/O: read the PEM text here. */
        size_t len;
        char *pem = read_file(base_own_cert_file, &len);
        if ((rc = mbedtls_x509_crt_parse(&c->own_cert, (const unsigned char *)pem, len)) != 0) die("own cert", rc);
        free(pem);
        pem = read_file(base_own_key_file, &len);
        rc = mbedtls_pk_parse_key(&c->own_key, (const unsigned char *)pem, len, NULL, 0, mbedtls_ctr_drbg_random, &c->drbg);
        free(pem);
        if (rc != 0) die("own key", rc);
        if ((rc = mbedtls_ssl_conf_own_cert(&c->conf, &c->own_cert, &c->own_key)) != 0) die("conf_own_cert", rc);
    }
    if ((rc = mbedtls_ssl_setup(&c->ssl, &c->conf)) != 0) die("ssl_setup", rc);
    if ((rc = mbedtls_ssl_set_hostname(&c->ssl, BENCH_RAW_SERVER_NAME)) != 0) die("ssl_set_hostname", rc);
    mbedtls_ssl_set_bio(&c->ssl, &c->fd, base_send_cb, base_recv_cb, NULL);
    while ((rc = mbedtls_ssl_handshake(&c->ssl)) != 0) {
        if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE) die("ssl_handshake", rc);
    }
    return c;
}

static void base_free(struct base_conn *c)
{
    mbedtls_ssl_free(&c->ssl);
    mbedtls_ssl_config_free(&c->conf);
    mbedtls_ctr_drbg_free(&c->drbg);
    mbedtls_x509_crt_free(&c->ca);
    mbedtls_x509_crt_free(&c->own_cert);
    mbedtls_pk_free(&c->own_key);
    free(c);
}

/* The baseline on a PSA build (MBEDTLS_USE_PSA_CRYPTO, TLS 1.3): PSA must
 * be started before a handshake, as a program using both would: through
 * TLS_InitCrypto, which registers the library's mutexes
 * (MBEDTLS_THREADING_ALT) and its token driver, then runs psa_crypto_init
 * (iot_tls.h: a firmware that also uses PSA calls it first). Called before
 * anything is measured, so that PSA's image-lifetime state is counted on
 * neither side. */
static void raw_start_psa(void)
{
#if defined(MBEDTLS_PSA_CRYPTO_C)
    BaseType_t rc = TLS_InitCrypto();
    if (rc != 0) die("TLS_InitCrypto", rc);
#endif
}

/* ------------------------------------------------------------ one connection, either way */

struct conn {
    int ours;
    int fd;
    void *tls;             /* ours */
    struct base_conn *base; /* baseline */
};

static void conn_open(struct conn *c, int ours, int port, const char *ca, size_t ca_len)
{
    c->ours = ours;
    c->fd = tcp_connect(port);
    c->tls = NULL;
    c->base = NULL;
    if (ours) {
        TLSParams_t p;
        BaseType_t rc;
        memset(&p, 0, sizeof p);
        p.ulSize = sizeof p;
        p.pcDestination = BENCH_RAW_SERVER_NAME;
        p.pcServerCertificate = ca;
        p.ulServerCertificateLength = (uint32_t)ca_len;
        p.pxNetworkRecv = ours_recv_cb;
        p.pxNetworkSend = ours_send_cb;
        p.pvCallerContext = &c->fd;
        if ((rc = TLS_Init(&c->tls, &p)) != 0) die("TLS_Init", rc);
        if ((rc = TLS_Connect(c->tls)) != 0) die("TLS_Connect", rc);
    } else {
        c->base = base_connect(c->fd, ca, ca_len);
    }
}

/* Write all of buf. */
static void conn_write(struct conn *c, const unsigned char *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        long n;
        if (c->ours) {
            n = TLS_Send(c->tls, buf + done, len - done);
        } else {
            n = mbedtls_ssl_write(&c->base->ssl, buf + done, len - done);
            if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) n = 0;
        }
        if (n < 0) die("write", n);
        done += (size_t)n;
    }
}

/* Read exactly len bytes. */
static void conn_read(struct conn *c, unsigned char *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        long n;
        if (c->ours) {
            n = TLS_Recv(c->tls, buf + done, len - done);
        } else {
            n = mbedtls_ssl_read(&c->base->ssl, buf + done, len - done);
            if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) n = 0;
            else if (n == 0) n = -1;
        }
        if (n < 0) die("read", n);
        done += (size_t)n;
    }
}

static void conn_close(struct conn *c)
{
    if (c->ours) TLS_Cleanup(c->tls);
    else base_free(c->base);
    close(c->fd);
}

/* ------------------------------------------------------------ modes */

static int parse_impl(const char *s)
{
    if (strcmp(s, "ours") == 0) return 1;
    if (strcmp(s, "baseline") == 0) return 0;
    fprintf(stderr, "impl must be ours or baseline\n");
    exit(2);
}

/* One full handshake; prints its line. */
static void one_handshake(int ours, int port, const char *ca, size_t ca_len, const char *label)
{
    struct conn c;
    size_t base, steady;
    uint64_t t0, t1, c0, c1;
    /* A full handshake every time: nothing cached to resume (ours still
     * stores its session afterwards, as it does by default). */
    if (ours) TLS_ClearSessionCache();
    base = heap_mark();
    /* TCP connect is outside the timed part: it is kernel work, the same
     * for both, and not what is compared. */
    t0 = now_us();
    c0 = cpu_us();
    conn_open(&c, ours, port, ca, ca_len);
    c1 = cpu_us();
    t1 = now_us();
    steady = heap_now - base;
    conn_close(&c);
    printf("HS %s %s %llu %zu %zu %lu %llu\n", label, ours ? "ours" : "baseline", (unsigned long long)(t1 - t0),
           heap_peak - base, steady, heap_allocs, (unsigned long long)(c1 - c0));
}

/* impl "both": ours and baseline alternate handshake by handshake (order
 * flipped every pair), so both see the same background load. */
static void run_handshakes(const char *impl, int port, const char *ca, size_t ca_len, int n, const char *label)
{
    int i;
    for (i = 0; i < n; i++) {
        if (strcmp(impl, "both") == 0) {
            one_handshake(i % 2 == 0, port, ca, ca_len, label);
            one_handshake(i % 2 != 0, port, ca, ca_len, label);
        } else {
            one_handshake(parse_impl(impl), port, ca, ca_len, label);
        }
    }
}

/* Request to the peer (benches/peer/bench_peer.py): 'U' or 'D' and a
 * 64-bit big-endian byte count. */
static void run_bulk(int ours, int port, const char *ca, size_t ca_len, int up, unsigned long long total)
{
    enum { CHUNK = 64 * 1024 };
    static unsigned char buf[CHUNK];
    unsigned char req[9];
    struct conn c;
    size_t base = heap_mark();
    unsigned long long left = total;
    uint64_t t0, t1, c0, c1;
    int i;

    for (i = 0; i < CHUNK; i++) buf[i] = (unsigned char)(i * 131u + 7u);
    conn_open(&c, ours, port, ca, ca_len);
    req[0] = up ? 'U' : 'D';
    for (i = 0; i < 8; i++) req[1 + i] = (unsigned char)(total >> (56 - 8 * i));
    t0 = now_us();
    c0 = cpu_us();
    conn_write(&c, req, sizeof req);
    while (left > 0) {
        size_t n = left < CHUNK ? (size_t)left : CHUNK;
        if (up) conn_write(&c, buf, n);
        else conn_read(&c, buf, n);
        left -= n;
    }
    /* Upload ends when the peer confirms it has decrypted everything. */
    if (up) conn_read(&c, buf, 1);
    c1 = cpu_us();
    t1 = now_us();
    printf("BULK %s %s %llu %llu %zu %llu\n", up ? "up" : "down", ours ? "ours" : "baseline", total,
           (unsigned long long)(t1 - t0), heap_peak - base, (unsigned long long)(c1 - c0));
    conn_close(&c);
}

/* One connect + first echo with ours: TCP connect, handshake, a 32-byte
 * answer to a 9-byte request. Dies unless the handshake resumed exactly
 * when `resume` asks it to. */
static void one_reconnect(int port, const char *ca, size_t ca_len, int resume, int nodelay, int round,
                          const char *label)
{
    unsigned char req[9] = { 'D', 0, 0, 0, 0, 0, 0, 0, 32 }, answer[32];
    struct conn c;
    uint64_t t0, t1, c0, c1;
    if (!resume) TLS_ClearSessionCache();
    tcp_nodelay = nodelay;
    t0 = now_us();
    c0 = cpu_us();
    conn_open(&c, 1, port, ca, ca_len);
    conn_write(&c, req, sizeof req);
    conn_read(&c, answer, sizeof answer);
    c1 = cpu_us();
    t1 = now_us();
    tcp_nodelay = 1;
    if (TLS_IsSessionResumed(c.tls) != resume) die(resume ? "resumption (not resumed)" : "full handshake (resumed)", 0);
    conn_close(&c);
    printf("RC %s %s %s %llu %llu %d\n", label, resume ? "resumed" : "full", nodelay ? "nodelay" : "nagle",
           (unsigned long long)(t1 - t0), (unsigned long long)(c1 - c0), round);
}

static void run_reconnects(int port, const char *ca, size_t ca_len, int n, const char *label)
{
    int i, k;
    for (i = 0; i < n; i++) {
        for (k = 0; k < 2; k++) {
            int nodelay = (i + k) % 2;
            one_reconnect(port, ca, ca_len, 0, nodelay, i, label); /* full; leaves its session */
            one_reconnect(port, ca, ca_len, 1, nodelay, i, label); /* resumes it */
        }
    }
}

/* Heap held per open connection: k connections at once. */
static void run_ram(int port, const char *ca, size_t ca_len, int k, const char *label, int ours_only)
{
    struct conn *cs = calloc((size_t)k, sizeof *cs);
    int impl, i;
    size_t before, entry;
    if (cs == NULL) die("calloc", 0);
    TLS_SetSessionResumption(0);
    base_tickets = MBEDTLS_SSL_SESSION_TICKETS_DISABLED;
    for (impl = ours_only; impl < 2; impl++) {
        before = heap_now;
        for (i = 0; i < k; i++) conn_open(&cs[i], impl, port, ca, ca_len);
        printf("RAM %s %d %d %s %d %zu\n", label, MBEDTLS_SSL_IN_CONTENT_LEN, MBEDTLS_SSL_OUT_CONTENT_LEN,
               impl ? "ours" : "baseline", k, (heap_now - before) / (size_t)k);
        for (i = 0; i < k; i++) conn_close(&cs[i]);
    }
    /* One cache entry: what a connection leaves behind with resumption on. */
    TLS_SetSessionResumption(1);
    TLS_ClearSessionCache();
    before = heap_now;
    conn_open(&cs[0], 1, port, ca, ca_len);
    {
        /* One echo first: a TLS 1.3 session is stored only once its
         * ticket, which follows the handshake, has been read. */
        unsigned char req[9] = { 'D', 0, 0, 0, 0, 0, 0, 0, 32 }, answer[32];
        conn_write(&cs[0], req, sizeof req);
        conn_read(&cs[0], answer, sizeof answer);
    }
    conn_close(&cs[0]);
    entry = heap_now - before;
    TLS_ClearSessionCache();
    printf("CACHE %s %zu\n", label, entry);
    base_tickets = MBEDTLS_SSL_SESSION_TICKETS_ENABLED;
    free(cs);
}

/* Ours against two peers, pair by pair (order flipped every pair). */
static void run_handshake_pairs(int port_a, int port_b, const char *ca, size_t ca_len, int n, const char *label_a,
                                const char *label_b)
{
    int i;
    for (i = 0; i < n; i++) {
        if (i % 2 == 0) {
            one_handshake(1, port_a, ca, ca_len, label_a);
            one_handshake(1, port_b, ca, ca_len, label_b);
        } else {
            one_handshake(1, port_b, ca, ca_len, label_b);
            one_handshake(1, port_a, ca, ca_len, label_a);
        }
    }
}

/* Connect + first echo (ours), logging the transport sends. */
static void one_rtt(int port, const char *ca, size_t ca_len, int resume, int round, const char *label)
{
    unsigned char req[9] = { 'D', 0, 0, 0, 0, 0, 0, 0, 32 }, answer[32];
    struct conn c;
    uint64_t t0, t1, c0, c1;
    int connect_sends;
    if (!resume) TLS_ClearSessionCache();
    send_log_on = 1;
    send_calls = 0;
    t0 = now_us();
    c0 = cpu_us();
    conn_open(&c, 1, port, ca, ca_len);
    connect_sends = send_calls;
    send_calls = 0;
    conn_write(&c, req, sizeof req);
    send_log_on = 0;
    conn_read(&c, answer, sizeof answer);
    c1 = cpu_us();
    t1 = now_us();
    if (TLS_IsSessionResumed(c.tls) != resume) die(resume ? "resumption (not resumed)" : "full handshake (resumed)", 0);
    /* TLS 1.3: the peer's tickets come before its echo, so reading the
     * echo has stored the session the resumed round offers. */
    conn_close(&c);
    printf("RT %s %s %llu %llu %d %s %d\n", label, resume ? "resumed" : "full", (unsigned long long)(t1 - t0),
           (unsigned long long)(c1 - c0), connect_sends, first_send, round);
}

static void run_rtt(int port, const char *ca, size_t ca_len, int n, const char *label)
{
    int i;
    for (i = 0; i < n; i++) {
        one_rtt(port, ca, ca_len, 0, i, label);
        one_rtt(port, ca, ca_len, 1, i, label);
    }
}

/* Raw mbedTLS, TLS 1.3 only: P-256 first vs X25519 first. */
static void run_groups13(int port, const char *ca, size_t ca_len, int n)
{
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    static const uint16_t p256_first[] = { MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
                                           MBEDTLS_SSL_IANA_TLS_GROUP_NONE };
    static const uint16_t x25519_first[] = { MBEDTLS_SSL_IANA_TLS_GROUP_X25519, MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
                                             MBEDTLS_SSL_IANA_TLS_GROUP_NONE };
    struct conn c;
    int i, k;
    /* One connection of ours first (warm-up; PSA is already started). */
    conn_open(&c, 1, port, ca, ca_len);
    conn_close(&c);
    base_tickets = MBEDTLS_SSL_SESSION_TICKETS_DISABLED;
    for (i = 0; i < n; i++) {
        for (k = 0; k < 2; k++) {
            int x = (i + k) % 2;
            size_t base;
            uint64_t t0, t1, c0, c1;
            base_tls13_groups = x ? x25519_first : p256_first;
            base_min_version = base_max_version = MBEDTLS_SSL_VERSION_TLS1_3;
            base = heap_mark();
            t0 = now_us();
            c0 = cpu_us();
            conn_open(&c, 0, port, ca, ca_len);
            c1 = cpu_us();
            t1 = now_us();
            conn_close(&c);
            printf("GR %s %llu %zu %llu\n", x ? "X25519" : "P-256", (unsigned long long)(t1 - t0), heap_peak - base,
                   (unsigned long long)(c1 - c0));
        }
    }
    base_tls13_groups = NULL;
    base_min_version = base_max_version = 0;
    base_tickets = MBEDTLS_SSL_SESSION_TICKETS_ENABLED;
#else
    (void)port, (void)ca, (void)ca_len, (void)n;
    die("groups13: no TLS 1.3 in this build", 0);
#endif
}

/* Record-size probe: one connection (ours with its defaults, or the
 * baseline with the version range min..max, 12 = TLS 1.2, 13 = TLS 1.3),
 * sends the bytes of req_file, then reads until `want` bytes arrived, the
 * peer closed, or an error. Never dies: prints what happened.
 *   PROBE <impl> <in_len> <handshake_rc> <bytes_read> <read_rc> <usec>
 * rc: 0, or the (negative) TLS_ERROR_* / mbedTLS code that ended it. */
static void run_probe(const char *impl, int port, const char *ca, size_t ca_len, const char *req_file, long want)
{
    size_t req_len, got = 0;
    char *req = read_file(req_file, &req_len);
    static unsigned char buf[4096];
    long hs_rc = 0, rd_rc = 0, n;
    int ours = strcmp(impl, "ours") == 0;
    struct conn c;
    uint64_t t0 = now_us();
    req_len--; /* read_file counts a NUL */
    memset(&c, 0, sizeof c);
    c.ours = ours;
    c.fd = tcp_connect(port);
    if (ours) {
        TLSParams_t p;
        memset(&p, 0, sizeof p);
        p.ulSize = sizeof p;
        p.pcDestination = BENCH_RAW_SERVER_NAME;
        p.pcServerCertificate = ca;
        p.ulServerCertificateLength = (uint32_t)ca_len;
        p.pxNetworkRecv = ours_recv_cb;
        p.pxNetworkSend = ours_send_cb;
        p.pvCallerContext = &c.fd;
        if ((hs_rc = TLS_Init(&c.tls, &p)) == 0) hs_rc = TLS_Connect(c.tls);
    } else {
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
        int lo = impl[3] == '1' && impl[4] == '3' ? MBEDTLS_SSL_VERSION_TLS1_3 : MBEDTLS_SSL_VERSION_TLS1_2;
        int hi = strchr(impl, '-') ? MBEDTLS_SSL_VERSION_TLS1_3 : lo; /* raw12, raw13, raw12-13 */
        struct base_conn *b = calloc(1, sizeof *b);
        const char *step;
        if (b == NULL) die("calloc", 0);
        base_min_version = lo;
        base_max_version = hi;
        b->fd = c.fd;
        mbedtls_ssl_init(&b->ssl);
        mbedtls_ssl_config_init(&b->conf);
        mbedtls_ctr_drbg_init(&b->drbg);
        mbedtls_x509_crt_init(&b->ca);
        mbedtls_x509_crt_init(&b->own_cert);
        mbedtls_pk_init(&b->own_key);
        hs_rc = bench_raw_configure(&b->conf, &b->drbg, &b->ca, ca, ca_len, base_entropy, NULL,
                                    MBEDTLS_SSL_SESSION_TICKETS_DISABLED, &step);
        raw13_configure(&b->conf, lo, hi);
        if (hs_rc == 0) hs_rc = mbedtls_ssl_setup(&b->ssl, &b->conf);
        if (hs_rc == 0) hs_rc = mbedtls_ssl_set_hostname(&b->ssl, BENCH_RAW_SERVER_NAME);
        mbedtls_ssl_set_bio(&b->ssl, &b->fd, base_send_cb, base_recv_cb, NULL);
        while (hs_rc == 0 && (n = mbedtls_ssl_handshake(&b->ssl)) != 0) {
            if (n != MBEDTLS_ERR_SSL_WANT_READ && n != MBEDTLS_ERR_SSL_WANT_WRITE) hs_rc = n;
        }
        c.base = b;
        base_min_version = base_max_version = 0;
#else
        die("probe: raw needs TLS 1.3 in the build", 0);
#endif
    }
    if (hs_rc == 0) {
        size_t done = 0;
        while (done < req_len && rd_rc == 0) {
            n = ours ? TLS_Send(c.tls, (const unsigned char *)req + done, req_len - done)
                     : mbedtls_ssl_write(&c.base->ssl, (const unsigned char *)req + done, req_len - done);
            if (n < 0) rd_rc = n;
            else done += (size_t)n;
        }
        while (rd_rc == 0 && (long)got < want) {
            n = ours ? TLS_Recv(c.tls, buf, sizeof buf) : mbedtls_ssl_read(&c.base->ssl, buf, sizeof buf);
            if (!ours && (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
                          || n == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
#endif
                          ))
                continue;
            if (n < 0) rd_rc = n;
            else if (n == 0 && !ours) rd_rc = 1; /* closed */
            else got += (size_t)n;
        }
    }
    printf("PROBE %s %d %ld %zu %ld %llu\n", impl, MBEDTLS_SSL_IN_CONTENT_LEN, hs_rc, got, rd_rc,
           (unsigned long long)(now_us() - t0));
    if (ours) {
        if (c.tls) TLS_Cleanup(c.tls);
    } else if (c.base) {
        base_free(c.base);
    }
    close(c.fd);
    free(req);
}

static void raw_getrandom(unsigned char *out, size_t len)
{
    if (base_entropy(NULL, out, len) != 0) die("getrandom", errno);
}

static void run_entropy(int ours, size_t req, long count)
{
    unsigned char *buf = malloc(req);
    uint64_t t0, t1;
    size_t olen;
    long i;
    if (buf == NULL) die("malloc", 0);
    /* Warm-up outside the timing: the port's one-off start-up health test
     * (1024 samples) and first-touch page faults of buf. */
    if (ours) {
        if (mbedtls_hardware_poll(NULL, buf, req, &olen) != 0) die("mbedtls_hardware_poll", 0);
    } else {
        raw_getrandom(buf, req);
    }
    t0 = now_us();
    for (i = 0; i < count; i++) {
        if (ours) {
            if (mbedtls_hardware_poll(NULL, buf, req, &olen) != 0 || olen != req) die("mbedtls_hardware_poll", 0);
        } else {
            raw_getrandom(buf, req);
        }
    }
    t1 = now_us();
    printf("ENT %s %zu %llu %llu\n", ours ? "ours" : "raw", req, (unsigned long long)req * (unsigned long long)count,
           (unsigned long long)(t1 - t0));
    free(buf);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IOLBF, 0);
    base_own_cert_file = getenv("BENCH_CLIENT_CERT");
    base_own_key_file = getenv("BENCH_CLIENT_KEY");
    if ((base_own_cert_file == NULL) != (base_own_key_file == NULL)) die("BENCH_CLIENT_CERT/KEY: set both", 0);
    if ((strcmp(mode, "reconnect") == 0 || strcmp(mode, "ram") == 0 || strcmp(mode, "ram-ours") == 0
         || strcmp(mode, "rtt") == 0 || strcmp(mode, "groups13") == 0)
        && argc == (strcmp(mode, "groups13") == 0 ? 5 : 6)) {
        size_t ca_len;
        char *ca = read_file(argv[3], &ca_len);
        raw_start_psa();
        if (strcmp(mode, "reconnect") == 0) run_reconnects(atoi(argv[2]), ca, ca_len, atoi(argv[4]), argv[5]);
        else if (strcmp(mode, "rtt") == 0) run_rtt(atoi(argv[2]), ca, ca_len, atoi(argv[4]), argv[5]);
        else if (strcmp(mode, "groups13") == 0) run_groups13(atoi(argv[2]), ca, ca_len, atoi(argv[4]));
        else run_ram(atoi(argv[2]), ca, ca_len, atoi(argv[4]), argv[5], strcmp(mode, "ram-ours") == 0);
        free(ca);
    } else if (strcmp(mode, "probe") == 0 && argc == 8) {
        size_t ca_len;
        char *ca = read_file(argv[4], &ca_len);
        raw_start_psa();
        run_probe(argv[2], atoi(argv[3]), ca, ca_len, argv[5], atol(argv[6]));
        (void)argv[7];
        free(ca);
    } else if (strcmp(mode, "handshake2") == 0 && argc == 8) {
        size_t ca_len;
        char *ca = read_file(argv[4], &ca_len);
        raw_start_psa();
        run_handshake_pairs(atoi(argv[2]), atoi(argv[3]), ca, ca_len, atoi(argv[5]), argv[6], argv[7]);
        free(ca);
    } else if (strcmp(mode, "handshake") == 0 && argc == 7) {
        size_t ca_len;
        char *ca = read_file(argv[4], &ca_len);
        raw_start_psa();
        run_handshakes(argv[2], atoi(argv[3]), ca, ca_len, atoi(argv[5]), argv[6]);
        free(ca);
    } else if (strcmp(mode, "bulk") == 0 && argc == 7) {
        size_t ca_len;
        char *ca = read_file(argv[4], &ca_len);
        raw_start_psa();
        run_bulk(parse_impl(argv[2]), atoi(argv[3]), ca, ca_len, strcmp(argv[5], "up") == 0,
                 strtoull(argv[6], NULL, 10));
        free(ca);
    } else if (strcmp(mode, "entropy") == 0 && argc == 5) {
        int ours = strcmp(argv[2], "ours") == 0;
        if (!ours && strcmp(argv[2], "raw") != 0) die("entropy impl (ours|raw)", 0);
        run_entropy(ours, (size_t)strtoul(argv[3], NULL, 10), atol(argv[4]));
    } else {
        fprintf(stderr, "usage: see the comment at the top of bench_client.c\n");
        return 2;
    }
    return 0;
}
