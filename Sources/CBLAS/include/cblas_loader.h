#ifndef CBLAS_LOADER_H
#define CBLAS_LOADER_H
#include <stdbool.h>

// A tiny CBLAS surface, bound to OpenBLAS at run time.
//
// Debian's OpenBLAS picks its kernels once, when the library loads, from OPENBLAS_CORETYPE or from
// CPU detection; on recent AMD CPUs detection falls back to AVX2 kernels although AVX-512 is there.
// Loading the library ourselves lets us set the core type first, whoever starts the process.

enum blas_order { BLAS_ROW_MAJOR = 101, BLAS_COL_MAJOR = 102 };
enum blas_transpose { BLAS_NO_TRANS = 111, BLAS_TRANS = 112 };

/// True when the CPU has the AVX-512 subsets (F, BW, VL, DQ) that SkylakeX kernels and our
/// 32-channel pointwise tiles are written for.
bool cpu_supports_avx512(void);

/// Loads OpenBLAS once (thread-safe). Returns false and fills `message` when it cannot.
bool blas_load(char *message, int message_size);

/// The kernel family OpenBLAS chose, e.g. "SkylakeX" or "Haswell"; "unloaded" before blas_load.
const char *blas_core_name(void);

/// Number of threads OpenBLAS may use for one call.
void blas_set_threads(int count);
int blas_threads(void);

/// C = alpha * op(A) * op(B) + beta * C, single precision.
void blas_sgemm(enum blas_order order, enum blas_transpose trans_a, enum blas_transpose trans_b,
                int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                float beta, float *c, int ldc);

/// y = alpha * op(A) * x + beta * y, single precision.
void blas_sgemv(enum blas_order order, enum blas_transpose trans, int m, int n, float alpha,
                const float *a, int lda, const float *x, int incx, float beta, float *y, int incy);

#endif
