/* timer.c - hashed timing wheel and fixed-timeout FIFOs; time is passed in, nothing is read here. */
#include "timer.h"

#include <errno.h>
#include <stddef.h>

static inline void
list_init(struct tmr_link *h)
{
	h->next = h->prev = h;
}

static inline void
list_add_tail(struct tmr_link *h, struct tmr_link *l)
{
	l->prev = h->prev;
	l->next = h;
	h->prev->next = l;
	h->prev = l;
}

static inline void
list_del(struct tmr_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->next = l->prev = NULL;
}

int
tmr_wheel_init(struct tmr_wheel *w, struct tmr_link *slots, uint32_t nslots, uint32_t tick_shift,
	       uint64_t now_us)
{
	if (nslots == 0 || (nslots & (nslots - 1)) != 0)
		return -EINVAL;
	w->slots = slots;
	w->mask = nslots - 1;
	w->shift = tick_shift;
	w->next_tick = now_us >> tick_shift;
	w->armed = 0;
	for (uint32_t i = 0; i < nslots; i++)
		list_init(&slots[i]);
	return 0;
}

void
tmr_wheel_arm(struct tmr_wheel *w, struct tmr_link *l, uint64_t expire_us)
{
	/* Round up so a timer never fires early; never place it behind the cursor. */
	uint64_t tick = (expire_us + (1ULL << w->shift) - 1) >> w->shift;

	if (tick < w->next_tick)
		tick = w->next_tick;
	if (tmr_armed(l))
		list_del(l);
	else
		w->armed++;
	l->expire = tick;
	list_add_tail(&w->slots[tick & w->mask], l);
}

void
tmr_wheel_cancel(struct tmr_wheel *w, struct tmr_link *l)
{
	if (!tmr_armed(l))
		return;
	list_del(l);
	w->armed--;
}

unsigned int
tmr_wheel_expire(struct tmr_wheel *w, uint64_t now_us, struct tmr_link **out, unsigned int max)
{
	uint64_t now_tick = now_us >> w->shift;
	uint64_t visited = 0;
	unsigned int n = 0;

	/*
	 * Visit slots from the cursor up to now. Each slot also holds timers of later rotations,
	 * which stay. After a stall longer than a rotation, one pass over every slot suffices,
	 * because the test is expire <= now_tick rather than == slot tick.
	 */
	while (w->next_tick <= now_tick) {
		struct tmr_link *h = &w->slots[w->next_tick & w->mask];
		struct tmr_link *l = h->next;

		while (l != h) {
			struct tmr_link *nx = l->next;

			if (l->expire <= now_tick) {
				if (n == max)
					return n;	/* resume at this slot next time */
				list_del(l);
				w->armed--;
				out[n++] = l;
			}
			l = nx;
		}
		if (w->armed == 0 || ++visited > w->mask) {
			w->next_tick = now_tick + 1;
			break;
		}
		w->next_tick++;
	}
	return n;
}

void
tmr_fifo_init(struct tmr_fifo *f, uint64_t timeout_us)
{
	list_init(&f->head);
	f->timeout_us = timeout_us;
	f->count = 0;
}

void
tmr_fifo_push(struct tmr_fifo *f, struct tmr_link *l, uint64_t now_us)
{
	if (tmr_armed(l))
		list_del(l);
	else
		f->count++;
	l->expire = now_us + f->timeout_us;
	list_add_tail(&f->head, l);
}

void
tmr_fifo_cancel(struct tmr_fifo *f, struct tmr_link *l)
{
	if (!tmr_armed(l))
		return;
	list_del(l);
	f->count--;
}

unsigned int
tmr_fifo_expire(struct tmr_fifo *f, uint64_t now_us, struct tmr_link **out, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && f->head.next != &f->head && f->head.next->expire <= now_us) {
		struct tmr_link *l = f->head.next;

		list_del(l);
		f->count--;
		out[n++] = l;
	}
	return n;
}
