/* The vector tables gen_vectors.py writes (vectors.c), read by
 * p256_vectors.c. Byte strings are (pointer, length); NULL, 0 = none. */
#ifndef P256_VECTORS_H
#define P256_VECTORS_H

#include <stddef.h>
#include <stdint.h>

/* mbedtls_ecdh_compute_shared: z = x(d * Q). Weierstrass: d big-endian,
 * Q "04 || X || Y" (no Q: the point at infinity), z big-endian. X25519:
 * d and z little-endian (RFC 7748), Q the u-coordinate. */
typedef struct
{
    const char * pcName;
    int iGroup;
    const uint8_t * pucD;
    size_t xDLen;
    const uint8_t * pucQ;
    size_t xQLen;
    const uint8_t * pucZ;
    size_t xZLen;
    int iExpect;
} EcdhVector_t;

/* mbedtls_ecdsa_verify of (r, s), big-endian, over the digest. */
typedef struct
{
    const char * pcName;
    int iGroup;
    const uint8_t * pucHash;
    size_t xHashLen;
    const uint8_t * pucQ;
    size_t xQLen;
    const uint8_t * pucR;
    size_t xRLen;
    const uint8_t * pucS;
    size_t xSLen;
    int iExpect;
} EcdsaVector_t;

/* mbedtls_ecdh_gen_public with an RNG that hands out pucRng, then fails.
 * Expected key pair: pucD (big-endian) and pucQ, or none (then any valid
 * pair with Q = d * G by mbedTLS's own arithmetic). */
typedef struct
{
    const char * pcName;
    int iGroup;
    const uint8_t * pucRng;
    size_t xRngLen;
    const uint8_t * pucD;
    size_t xDLen;
    const uint8_t * pucQ;
    size_t xQLen;
    int iExpect;
} KeygenVector_t;

extern const EcdhVector_t xEcdhVectors[];
extern const size_t xEcdhVectorCount;
extern const EcdsaVector_t xEcdsaVectors[];
extern const size_t xEcdsaVectorCount;
extern const KeygenVector_t xKeygenVectors[];
extern const size_t xKeygenVectorCount;

#endif /* P256_VECTORS_H */
