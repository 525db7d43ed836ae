/* flow.c - the per-worker flow table: bucketised cuckoo hashing over object indexes and 16-bit signatures, no key store. */
#include "flow.h"

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_random.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define WAYS 8
#define EMPTY UINT32_MAX
#define SPACE1 0x80000000u	/**< an index into spaces[1] */
#define MAX_BUCKETS (1u << 24)	/**< bucket indexes and signatures take disjoint hash bits */
#define LOAD_PCT 85		/**< buckets for the entries at this fill at most */
#define BFS_NODES 256		/**< buckets a displacement search looks at (about depth 3) */

/** Eight keys: their signatures and object indexes, in one cache line. */
struct bucket {
	uint16_t sig[WAYS];
	uint32_t ref[WAYS];	/**< EMPTY, index, or SPACE1 | index */
	uint32_t spare[4];
} __rte_cache_aligned;
_Static_assert(sizeof(struct bucket) == 64, "a bucket is one cache line");

struct flow_table {
	struct bucket *b;
	uint32_t nb;		/**< buckets: any number up to MAX_BUCKETS */
	uint64_t k0, k1, k2;	/**< the hash's secret */
	const char *base[2];
	size_t stride[2], key_off[2];
	uint32_t n[2];
};

/* One place a key lives, and how it hashes. */
struct where {
	uint32_t b1, b2;
	uint16_t sig;
};

/* 64x64 -> 128-bit multiply, folded (the mixing step of wyhash-style hashes). */
static inline uint64_t
mum(uint64_t a, uint64_t b)
{
	__extension__ unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline struct where
place(const struct flow_table *t, const struct tcp_tuple *k)
{
	uint64_t a, h;
	uint32_t c;

	memcpy(&a, k, 8);
	memcpy(&c, (const char *)k + 8, 4);
	h = mum(mum(a ^ t->k0, (uint64_t)c ^ t->k1), t->k2);
	/* buckets from bits 0-23 and 32-55, each a fraction of the table's size (a multiply and
	 * a shift, so that the table is sized to its load, not to a power of two), the signature
	 * from 24-31 and 56-63 */
	return (struct where){ .b1 = (uint32_t)(((h & 0xffffff) * t->nb) >> 24),
			       .b2 = (uint32_t)((((h >> 32) & 0xffffff) * t->nb) >> 24),
			       .sig = (uint16_t)(((h >> 24) & 0xff) | ((h >> 48) & 0xff00)) };
}

static inline const struct tcp_tuple *
ref_key(const struct flow_table *t, uint32_t ref)
{
	unsigned int s = ref >> 31;

	return (const struct tcp_tuple *)(t->base[s] + (size_t)(ref & ~SPACE1) * t->stride[s] +
					  t->key_off[s]);
}

static inline void *
ref_obj(const struct flow_table *t, uint32_t ref)
{
	unsigned int s = ref >> 31;

	return (void *)((uintptr_t)(t->base[s] + (size_t)(ref & ~SPACE1) * t->stride[s]) | s);
}

static inline bool
key_eq(const struct tcp_tuple *a, const struct tcp_tuple *b)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return x == y && a->rport == b->rport && a->lport == b->lport;
}

/* Ways of @p bk whose signature is @p sig, as a bit mask (empty slots may be among them). */
static inline unsigned int
sig_hits(const struct bucket *bk, uint16_t sig)
{
#if defined(__SSE2__)
	__m128i eq = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)bk->sig),
				     _mm_set1_epi16((short)sig));

	/* eight 16-bit lanes of 0 / -1 packed to eight bytes: one mask bit per way */
	return (unsigned int)_mm_movemask_epi8(_mm_packs_epi16(eq, _mm_setzero_si128())) & 0xff;
#else
	unsigned int m = 0;

	for (unsigned int w = 0; w < WAYS; w++)
		m |= (unsigned int)(bk->sig[w] == sig) << w;
	return m;
#endif
}

/* The way of @p bk holding @p key, or WAYS. */
static inline unsigned int
bucket_find(const struct flow_table *t, const struct bucket *bk, uint16_t sig,
	    const struct tcp_tuple *key)
{
	for (unsigned int m = sig_hits(bk, sig); m != 0; m &= m - 1) {
		unsigned int w = (unsigned int)__builtin_ctz(m);

		if (bk->ref[w] != EMPTY && key_eq(ref_key(t, bk->ref[w]), key))
			return w;
	}
	return WAYS;
}

static inline unsigned int
bucket_free_way(const struct bucket *bk)
{
	for (unsigned int w = 0; w < WAYS; w++)
		if (bk->ref[w] == EMPTY)
			return w;
	return WAYS;
}

/* Find @p key: its bucket and way; false when absent. */
static inline bool
find(const struct flow_table *t, const struct tcp_tuple *key, const struct where *p,
     struct bucket **bk, unsigned int *way)
{
	unsigned int w = bucket_find(t, &t->b[p->b1], p->sig, key);

	if (w == WAYS && p->b2 != p->b1) {
		w = bucket_find(t, &t->b[p->b2], p->sig, key);
		if (w == WAYS)
			return false;
		*bk = &t->b[p->b2];
	} else if (w == WAYS) {
		return false;
	} else {
		*bk = &t->b[p->b1];
	}
	*way = w;
	return true;
}

struct flow_table *
flow_create(const char *name, uint32_t entries, uint32_t seed, int socket,
	    const struct flow_space spaces[2])
{
	struct flow_table *t;
	uint64_t want = (uint64_t)entries * 100 / (WAYS * LOAD_PCT) + 2;
	uint32_t nb = (uint32_t)want;

	if (want > MAX_BUCKETS || spaces[0].n >= SPACE1 || spaces[1].n >= SPACE1) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket(name, sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->b = rte_malloc_socket(name, sizeof(struct bucket) * nb, RTE_CACHE_LINE_SIZE, socket);
	if (t->b == NULL) {
		rte_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	t->nb = nb;
	/* a secret of its own per table; the caller's seed only adds to it */
	t->k0 = rte_rand() ^ ((uint64_t)seed << 32);
	t->k1 = rte_rand() ^ seed;
	t->k2 = rte_rand() | 1;
	for (unsigned int s = 0; s < 2; s++) {
		t->base[s] = spaces[s].base;
		t->stride[s] = spaces[s].stride;
		t->key_off[s] = spaces[s].key_off;
		t->n[s] = spaces[s].n;
	}
	flow_reset(t);
	return t;
}

void
flow_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	rte_free(t->b);
	rte_free(t);
}

void
flow_reset(struct flow_table *t)
{
	/* signature 0xffff, index EMPTY */
	memset(t->b, 0xff, sizeof(struct bucket) * (size_t)t->nb);
}

size_t
flow_memory(const struct flow_table *t)
{
	return sizeof(*t) + sizeof(struct bucket) * (size_t)t->nb;
}

void *
flow_lookup(struct flow_table *t, const struct tcp_tuple *key)
{
	struct where p = place(t, key);
	struct bucket *bk;
	unsigned int w;

	return find(t, key, &p, &bk, &w) ? ref_obj(t, bk->ref[w]) : NULL;
}

void
flow_lookup_bulk(struct flow_table *t, const struct tcp_tuple **keys, unsigned int n, void **out)
{
	struct where p[FLOW_BULK_MAX];
	uint32_t cand[FLOW_BULK_MAX];

	/* 1: both buckets of every key on their way into the cache */
	for (unsigned int i = 0; i < n; i++) {
		p[i] = place(t, keys[i]);
		rte_prefetch0(&t->b[p[i].b1]);
		rte_prefetch0(&t->b[p[i].b2]);
	}
	/* 2: the first signature match of each, its object's tuple on its way too */
	for (unsigned int i = 0; i < n; i++) {
		const struct bucket *b1 = &t->b[p[i].b1], *b2 = &t->b[p[i].b2];
		unsigned int m1 = sig_hits(b1, p[i].sig), m2;

		cand[i] = EMPTY;
		if (m1 != 0) {
			cand[i] = b1->ref[__builtin_ctz(m1)];
		} else if ((m2 = sig_hits(b2, p[i].sig)) != 0) {
			cand[i] = b2->ref[__builtin_ctz(m2)];
		}
		if (cand[i] != EMPTY)
			rte_prefetch0(ref_key(t, cand[i]));
	}
	/* 3: the candidate confirmed by its tuple, or the whole search (another match, rare) */
	for (unsigned int i = 0; i < n; i++) {
		if (cand[i] != EMPTY && key_eq(ref_key(t, cand[i]), keys[i])) {
			out[i] = ref_obj(t, cand[i]);
		} else {
			struct bucket *bk;
			unsigned int w;

			out[i] = find(t, keys[i], &p[i], &bk, &w) ? ref_obj(t, bk->ref[w]) : NULL;
		}
	}
}

/* The bucket other than @p b that the key at @p ref may live in. */
static inline uint32_t
alt_bucket(const struct flow_table *t, uint32_t ref, uint32_t b)
{
	struct where p = place(t, ref_key(t, ref));

	return p.b1 == b ? p.b2 : p.b1;
}

/*
 * Cuckoo displacement, breadth first: the shortest chain of keys, each moving to its other
 * bucket, that ends in a free slot, looking at up to BFS_NODES buckets and never at one twice on
 * a chain; then the moves, last first, so every key is in one of its buckets at every moment.
 * @return the slot freed in @p b1 or @p b2, or false.
 */
static bool
make_room(struct flow_table *t, uint32_t b1, uint32_t b2, struct bucket **bk, unsigned int *way)
{
	struct node {
		uint32_t bucket;
		int16_t parent;		/**< node whose entry @c pway moves here; -1: a root */
		uint8_t pway;
	} q[BFS_NODES];
	unsigned int head = 0, tail = 0;

	q[tail++] = (struct node){ b1, -1, 0 };
	if (b2 != b1)
		q[tail++] = (struct node){ b2, -1, 0 };
	while (head < tail) {
		unsigned int at = head++;
		struct bucket *from = &t->b[q[at].bucket];

		for (unsigned int w = 0; w < WAYS; w++) {
			uint32_t alt = alt_bucket(t, from->ref[w], q[at].bucket);
			unsigned int free_w = bucket_free_way(&t->b[alt]);
			bool seen = false;

			if (free_w < WAYS) {
				/* found: move the chain along, from its end back to a root */
				struct bucket *dst = &t->b[alt];
				unsigned int n = at, dw = free_w, sw = w;

				for (;;) {
					struct bucket *src = &t->b[q[n].bucket];

					dst->sig[dw] = src->sig[sw];
					dst->ref[dw] = src->ref[sw];
					src->ref[sw] = EMPTY;
					if (q[n].parent < 0) {
						*bk = src;
						*way = sw;
						return true;
					}
					dst = src;
					dw = sw;
					sw = q[n].pway;
					n = (unsigned int)q[n].parent;
				}
			}
			for (int a = (int)at; a >= 0 && !seen; a = q[a].parent)
				seen = q[a].bucket == alt;
			if (!seen && tail < BFS_NODES)
				q[tail++] = (struct node){ alt, (int16_t)at, (uint8_t)w };
		}
	}
	return false;
}

int
flow_add(struct flow_table *t, const struct tcp_tuple *key, void *obj)
{
	unsigned int s = (unsigned int)((uintptr_t)obj & 1);
	size_t off = (size_t)((const char *)((uintptr_t)obj & ~(uintptr_t)1) - t->base[s]);
	uint32_t ref = (uint32_t)(off / t->stride[s]) | (s ? SPACE1 : 0);
	struct where p = place(t, key);
	struct bucket *bk;
	unsigned int w;

	RTE_ASSERT(off % t->stride[s] == 0 && (ref & ~SPACE1) < t->n[s]);
	if (!find(t, key, &p, &bk, &w)) {
		if ((w = bucket_free_way(&t->b[p.b1])) < WAYS)
			bk = &t->b[p.b1];
		else if ((w = bucket_free_way(&t->b[p.b2])) < WAYS)
			bk = &t->b[p.b2];
		else if (!make_room(t, p.b1, p.b2, &bk, &w))
			return -ENOSPC;
		bk->sig[w] = p.sig;
	}
	bk->ref[w] = ref;
	return 0;
}

void
flow_prefetch(const struct flow_table *t, const struct tcp_tuple *key)
{
	struct where p = place(t, key);

	rte_prefetch0(&t->b[p.b1]);
	rte_prefetch0(&t->b[p.b2]);
}

void
flow_del(struct flow_table *t, const struct tcp_tuple *key)
{
	struct where p = place(t, key);
	struct bucket *bk;
	unsigned int w;

	if (find(t, key, &p, &bk, &w)) {
		bk->ref[w] = EMPTY;
		bk->sig[w] = 0xffff;
	}
}
