import Foundation

#if canImport(Glibc)
    import Glibc
#endif

enum Memory {
    /// Tunes glibc's allocator for computations over arrays of megabytes (the DiD estimators on a large panel):
    ///
    /// - Freed memory stays in the heap (no trimming, no separate mappings per large array), so the next array
    ///   reuses pages instead of faulting in fresh zeroed ones.
    /// - Every thread allocates from the one heap, which grows in steps of 256 MB of address space, and the heap is
    ///   marked for transparent huge pages: its memory is then faulted in 2 MB at a time. On a 750,000-row panel
    ///   this took page faults from about 40,000 to 2,000 and the whole command from 0.19 to 0.15 s
    ///   (Scripts/bench_did.sh). Where the kernel offers no huge pages, the hint does nothing.
    ///
    /// (`mallopt` is not visible to Swift, so it is looked up.)
    static func prepareForLargeArrays() {
        #if canImport(Glibc)
            typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
            // M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD and M_ARENA_MAX in malloc.h.
            let trimThreshold: Int32 = -1, topPad: Int32 = -2, mmapThreshold: Int32 = -3, arenaMax: Int32 = -8
            _ = mallopt(mmapThreshold, 1 << 30)
            _ = mallopt(trimThreshold, 1 << 30)
            _ = mallopt(arenaMax, 1)
            _ = mallopt(topPad, 1 << 28)
            // Grow the heap once, then mark it from the next 2 MB boundary to its end; later growth extends the same
            // mapping and keeps the mark.
            guard let probe = malloc(1 << 20) else { return }
            let end = UInt(bitPattern: sbrk(0))
            let hugePage: UInt = 1 << 21
            let start = (UInt(bitPattern: probe) + hugePage - 1) & ~(hugePage - 1)
            if end > start, let address = UnsafeMutableRawPointer(bitPattern: start) {
                _ = madvise(address, Int(end - start), MADV_HUGEPAGE)
            }
            free(probe)
        #endif
    }
}
