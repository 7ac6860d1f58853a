import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where CSV bytes come from: a file the reader opened (and closes), a file the script
/// opened (left open), or text held in memory.
enum ByteSource {
    case ownedFile(UnsafeMutablePointer<FILE>)
    case borrowedFile(UnsafeMutablePointer<FILE>)
    case text([UInt8])
}

/// The InputStream the CSV library reads, a buffer at a time, from a ByteSource; every
/// buffer also goes through the tracker, so that line numbers and malformed input are known.
final class TrackingInputStream: InputStream {
    private var source: ByteSource?
    private var offset = 0
    private var status: Stream.Status = .notOpen
    private(set) var failure: String?
    var tracker: RecordTracker

    init(_ source: ByteSource, delimiter: UInt8) {
        self.source = source
        self.tracker = RecordTracker(delimiter: delimiter)
        super.init(data: Data())
    }

    override func open() { status = .open }
    override var streamStatus: Stream.Status { status }
    override var hasBytesAvailable: Bool { status == .open }
    override var streamError: Error? { nil }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength length: Int) -> Int {
        guard status == .open, let source else { return 0 }
        var count = 0
        switch source {
        case .ownedFile(let file), .borrowedFile(let file):
            count = fread(buffer, 1, length, file)
            if count == 0, ferror(file) != 0 {
                failure = String(cString: strerror(errno))
                return -1
            }
        case .text(let bytes):
            count = min(length, bytes.count - offset)
            bytes.withUnsafeBufferPointer { all in
                buffer.update(from: all.baseAddress! + offset, count: count)
            }
            offset += count
        }
        if count == 0 {
            tracker.finish()
            status = .atEnd
        } else {
            tracker.feed(UnsafeBufferPointer(start: buffer, count: count))
        }
        return count
    }

    override func close() {
        if case .ownedFile(let file) = source { fclose(file) }
        source = nil
        status = .closed
    }

    deinit { close() }
}

/// The OutputStream the CSV library writes, a byte at a time: buffered by stdio, not a
/// system call per byte.
final class FileOutputStream: OutputStream {
    private var file: UnsafeMutablePointer<FILE>?
    private(set) var failed = false

    init(_ file: UnsafeMutablePointer<FILE>) {
        self.file = file
        super.init(toMemory: ())
    }

    required init(toMemory: ()) {
        file = nil
        super.init(toMemory: ())
    }

    override func open() {}
    override var streamStatus: Stream.Status { file == nil ? .closed : .open }
    override var hasSpaceAvailable: Bool { file != nil }

    override func write(_ buffer: UnsafePointer<UInt8>, maxLength length: Int) -> Int {
        guard let file else { return -1 }
        let written = fwrite(buffer, 1, length, file)
        if written != length { failed = true }
        return written
    }

    /// The writer's owner closes or flushes the file; the stream only lets go of it.
    override func close() { file = nil }
}
