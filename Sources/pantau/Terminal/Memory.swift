import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum Memory {
    /// Large computations allocate and free arrays of megabytes in turn. By default glibc hands each back to the
    /// kernel and the next one faults in fresh zeroed pages; keeping freed memory in the heap lets the next array
    /// reuse it. (`mallopt` is not visible to Swift, so it is looked up.)
    static func keepFreedArrays() {
        #if canImport(Glibc)
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD in malloc.h
        _ = mallopt(mmapThreshold, 1 << 30)
        _ = mallopt(trimThreshold, 1 << 30)
        #endif
    }
}
