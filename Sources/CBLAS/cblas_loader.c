#define _GNU_SOURCE
#include "cblas_loader.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                         float, float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*corename_fn)(void);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];
static sgemm_fn p_sgemm;
static sgemv_fn p_sgemv;
static set_threads_fn p_set_threads;
static get_threads_fn p_get_threads;
static corename_fn p_corename;

/// AVX-512 kernels need F, BW, VL and DQ; without them SkylakeX code would fault.
bool cpu_supports_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

static void load(void) {
    // An explicit choice by the user always wins (setenv with overwrite = 0).
    if (cpu_supports_avx512()) setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
    // Our own code splits work across the cores; OpenBLAS's pool threads would only compete with it,
    // and once woken they spin in sched_yield after each call (measured: ~7 ms of CPU per search).
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    const char *names[] = {"libopenblas.so.0", "libopenblas.so", NULL};
    void *handle = NULL;
    for (int i = 0; names[i] && !handle; i++) handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(load_error, sizeof load_error,
                 "OpenBLAS could not be loaded (%s); install it with: apt-get install libopenblas-dev",
                 dlerror());
        return;
    }
    p_sgemm = (sgemm_fn)dlsym(handle, "cblas_sgemm");
    p_sgemv = (sgemv_fn)dlsym(handle, "cblas_sgemv");
    p_set_threads = (set_threads_fn)dlsym(handle, "openblas_set_num_threads");
    p_get_threads = (get_threads_fn)dlsym(handle, "openblas_get_num_threads");
    p_corename = (corename_fn)dlsym(handle, "openblas_get_corename");
    if (!p_sgemm || !p_sgemv) {
        snprintf(load_error, sizeof load_error, "the loaded BLAS library has no cblas_sgemm/cblas_sgemv");
        p_sgemm = NULL;
        p_sgemv = NULL;
    }
}

bool blas_load(char *message, int message_size) {
    pthread_once(&load_once, load);
    if (p_sgemm) return true;
    if (message && message_size > 0) snprintf(message, (size_t)message_size, "%s", load_error);
    return false;
}

const char *blas_core_name(void) { return p_corename ? p_corename() : "unloaded"; }

void blas_set_threads(int count) {
    if (p_set_threads) p_set_threads(count);
}

int blas_threads(void) { return p_get_threads ? p_get_threads() : 0; }

void blas_sgemm(enum blas_order order, enum blas_transpose trans_a, enum blas_transpose trans_b,
                int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                float beta, float *c, int ldc) {
    p_sgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void blas_sgemv(enum blas_order order, enum blas_transpose trans, int m, int n, float alpha,
                const float *a, int lda, const float *x, int incx, float beta, float *y, int incy) {
    p_sgemv(order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
