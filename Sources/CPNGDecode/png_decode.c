// libpng's classic API behind two plain C functions.
//
// libpng reports errors by longjmp, which must never cross Swift frames, so every libpng call lives
// here, below a setjmp in the same C function. (libpng's simplified png_image_* API avoids longjmp
// too, but in 1.6.39, Debian 12's version, it decodes Adam7-interlaced 16-bit files to 8 bits wrongly:
// libpng issue #853.) Both functions are reentrant: all state lives on the caller's stack.
#include "png_decode.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
    char *message;
} source;

static void on_error(png_structp png, png_const_charp text) {
    source *from = png_get_error_ptr(png);
    snprintf(from->message, PNG_DECODE_MESSAGE_SIZE, "%s", text);
    png_longjmp(png, 1);
}

// Warnings (bad CRC in an optional chunk, odd colour profiles) leave a usable image: ignore them.
static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void read_bytes(png_structp png, png_bytep out, size_t count) {
    source *from = png_get_io_ptr(png);
    if (count > from->size - from->offset) png_error(png, "the file ends before the image data does");
    memcpy(out, from->data + from->offset, count);
    from->offset += count;
}

static png_structp create(source *from, png_infop *info) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, from, on_error, on_warning);
    if (png == NULL) return NULL;
    *info = png_create_info_struct(png);
    if (*info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return NULL;
    }
    png_set_read_fn(png, from, read_bytes);
    return png;
}

int png_decode_header(const unsigned char *data, size_t size, unsigned *width, unsigned *height,
                      char message[PNG_DECODE_MESSAGE_SIZE]) {
    source from = {data, size, 0, message};
    png_infop info = NULL;
    png_structp png = create(&from, &info);
    if (png == NULL) {
        snprintf(message, PNG_DECODE_MESSAGE_SIZE, "out of memory");
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    png_read_info(png, info);
    *width = png_get_image_width(png, info);
    *height = png_get_image_height(png, info);
    png_destroy_read_struct(&png, &info, NULL);
    return 1;
}

// RGBA to RGB over white, compacting in place (each write lands at or before its read).
static void composite_over_white(unsigned char *pixels, size_t count) {
    for (size_t i = 0; i < count; i++) {
        const unsigned char *in = pixels + i * 4;
        unsigned char *out = pixels + i * 3;
        unsigned alpha = in[3];
        if (alpha == 255) {
            memmove(out, in, 3);
            continue;
        }
        for (int c = 0; c < 3; c++) {
            out[c] = (unsigned char)((in[c] * alpha + 255 * (255 - alpha) + 127) / 255);
        }
    }
}

int png_decode_rgb_over_white(const unsigned char *data, size_t size, unsigned width, unsigned height,
                              unsigned char *buffer, char message[PNG_DECODE_MESSAGE_SIZE]) {
    source from = {data, size, 0, message};
    png_infop info = NULL;
    png_bytep *volatile rows = NULL;
    png_structp png = create(&from, &info);
    if (png == NULL) {
        snprintf(message, PNG_DECODE_MESSAGE_SIZE, "out of memory");
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    png_read_info(png, info);
    if (png_get_image_width(png, info) != width || png_get_image_height(png, info) != height) {
        png_error(png, "the header changed between reads");
    }
    // Every colour type and depth to 8-bit RGB, or RGBA when there is transparency: palette and low-bit
    // gray expanded, tRNS turned into alpha, 16 bits rounded to 8, gray copied to RGB.
    int has_alpha = (png_get_color_type(png, info) & PNG_COLOR_MASK_ALPHA) != 0 ||
                    png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    png_set_expand(png);
    png_set_scale_16(png);
    png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t channels = has_alpha ? 4 : 3;
    if (png_get_rowbytes(png, info) != (size_t)width * channels) png_error(png, "unexpected row layout");

    rows = malloc(sizeof(png_bytep) * height);
    if (rows == NULL) png_error(png, "out of memory");
    for (unsigned y = 0; y < height; y++) rows[y] = buffer + (size_t)y * width * channels;
    png_read_image(png, rows);
    // png_read_end is skipped on purpose: once all pixels are in, a missing IEND loses nothing.
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    if (has_alpha) composite_over_white(buffer, (size_t)width * height);
    return 1;
}
