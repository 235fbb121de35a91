/** Helpers of the decoders: canonical Huffman tables, match copying, scratch pools. Not a public API. */
package dev.vdisk.codec.internal;
