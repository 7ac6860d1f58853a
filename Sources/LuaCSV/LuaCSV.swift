import CLua
import CLuaShim
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif
import LuaBridge
import LuaJSON

/// caspio.csv's native half: readers and writers as host objects. Mistakes of the script
/// are raised through `usage` (at the script's line); bad input comes back as values,
/// `false, message, line`, for the Lua half to raise as an input error.
public enum LuaCSV {
    static let readerType = "caspio.csv_reader"
    static let writerType = "caspio.csv_writer"

    public typealias Usage = (Lua, String) -> Error

    /// reader(source, delimiter, header) and writer(dest, fields, delimiter, crlf, header).
    public static func functions(usage: @escaping Usage) -> [String: HostFunction] {
        [
            "csv_reader": { lua in try openReader(lua, usage) },
            "csv_writer": { lua in try openWriter(lua, usage) },
            // temporary_beside(path) -> the name t:export's JSON is written under, as CSV's is.
            "temporary_beside": { lua in
                guard let path = lua.string(at: 1) else { throw usage(lua, "temporary_beside: a path expected") }
                lua.push(CSVRowWriter.temporaryPath(beside: path))
                return .one
            },
        ]
    }

    // MARK: Reading

    private static func openReader(_ lua: Lua, _ usage: @escaping Usage) throws -> HostResult {
        registerTypes(lua, usage)
        let delimiter = try delimiterByte(lua, at: 2, usage)
        let header = lua.boolean(at: 3)
        let source: ByteSource
        if let file = fileHandle(lua, at: 1) {
            source = .borrowedFile(file)
        } else if let text = lua.bytes(at: 1), lua.type(at: 1) == LUA_TSTRING {
            // Text holds a line break; a path never does.
            if text.contains(10) || text.contains(13) {
                source = .text(text)
            } else {
                let path = String(decoding: text, as: UTF8.self)
                guard let file = fopen(path, "rb") else {
                    return failed(lua, "cannot read \(path): \(String(cString: strerror(errno)))", line: 0)
                }
                source = .ownedFile(file)
            }
        } else {
            throw usage(lua, "bad argument #1 to 'rows' (a path, CSV text or an open file expected, got \(lua.typeName(at: 1)))")
        }
        do {
            lua.push(object: try CSVRowReader(source, delimiter: delimiter, header: header), type: readerType)
            return .one
        } catch let error as CSVInputError {
            return failed(lua, error.message, line: error.line)
        }
    }

    /// read() -> row, line | nil | false, message, line.
    private static func read(_ lua: Lua) -> HostResult {
        guard let reader = lua.object(at: 1, type: readerType, as: CSVRowReader.self) else { return .none }
        switch reader.next() {
        case .end:
            reader.close()
            return .none
        case .bad(let message, let line):
            reader.close()
            return failed(lua, message, line: line)
        case .fields(let fields, let line):
            if let header = reader.header {
                lua.newTable(fieldCapacity: Int32(header.count))
                for (name, value) in zip(header, fields) {
                    lua.push(value)
                    lua.setField(name, ofTableAt: -2)
                }
            } else {
                lua.newTable(arrayCapacity: Int32(fields.count))
                for (index, value) in fields.enumerated() {
                    lua.push(value)
                    lua.setItem(Int64(index + 1), ofTableAt: -2)
                }
                LuaJSON.markArray(lua, at: -1)
            }
            lua.push(Int64(line))
            return .results(2)
        }
    }

    // MARK: Writing

    private static func openWriter(_ lua: Lua, _ usage: @escaping Usage) throws -> HostResult {
        registerTypes(lua, usage)
        guard lua.type(at: 2) == LUA_TTABLE else { throw usage(lua, "bad argument #2 to 'writer' (list of field names expected)") }
        var fields: [String] = []
        for index in stride(from: 1, through: lua.rawLength(at: 2), by: 1) {
            lua_rawgeti(lua.L, 2, lua_Integer(index))
            defer { lua.pop() }
            guard lua.type(at: -1) == LUA_TSTRING, let name = lua.string(at: -1) else {
                throw usage(lua, "bad argument #2 to 'writer' (field names must be strings; item \(index) is \(lua.typeName(at: -1)))")
            }
            fields.append(name)
        }
        let delimiter = String(UnicodeScalar(try delimiterByte(lua, at: 3, usage)))
        let crlf = lua.boolean(at: 4), header = lua.boolean(at: 5)
        let writer: CSVRowWriter
        do {
            if let file = fileHandle(lua, at: 1) {
                writer = try CSVRowWriter(path: nil, file: file, fields: fields, delimiter: delimiter, crlf: crlf)
            } else if lua.type(at: 1) == LUA_TSTRING, let path = lua.string(at: 1), !path.isEmpty {
                writer = try CSVRowWriter(path: path, file: nil, fields: fields, delimiter: delimiter, crlf: crlf)
            } else {
                throw usage(lua, "bad argument #1 to 'writer' (a path or an open file expected, got \(lua.typeName(at: 1)))")
            }
            if header { try writer.write(fields) }
        } catch let error as CSVInputError {
            return failed(lua, error.message, line: 0)
        }
        lua.push(object: writer, type: writerType)
        return .one
    }

    private static func write(_ lua: Lua, _ usage: Usage) throws -> HostResult {
        guard let writer = lua.object(at: 1, type: writerType, as: CSVRowWriter.self) else {
            throw usage(lua, "bad self to 'write' (use w:write(row))")
        }
        guard writer.isOpen else { throw usage(lua, "write to a closed CSV writer") }
        guard lua.type(at: 2) == LUA_TTABLE else { throw usage(lua, "bad argument #1 to 'write' (row table expected, got \(lua.typeName(at: 2)))") }
        let values = try cells(lua, row: 2, writer.fields, usage)
        do {
            try writer.write(values)
        } catch {
            return failed(lua, error.message, line: 0)
        }
        return .none
    }

    /// The row's cells in the writer's field order: by name, or by position for a list.
    private static func cells(_ lua: Lua, row: Int32, _ fields: [String], _ usage: Usage) throws -> [String] {
        let isList = lua_rawgeti(lua.L, row, 1) != LUA_TNIL
        lua.pop()
        if isList {
            let count = lua.rawLength(at: row)
            guard count <= fields.count else { throw usage(lua, "the row has \(count) values, but the writer has \(fields.count) fields") }
            return try (0..<fields.count).map { index in
                lua_rawgeti(lua.L, row, lua_Integer(index + 1))
                defer { lua.pop() }
                return try cell(lua, field: fields[index], usage)
            }
        }
        var known = 0
        let values = try fields.map { name in
            defer { lua.pop() }
            if lua.pushField(name, ofTableAt: row) != LUA_TNIL { known += 1 }
            return try cell(lua, field: name, usage)
        }
        // Every key must be a field: a misspelt or missing column is not silently dropped.
        var keys = 0
        lua.pushNil()
        while lua_next(lua.L, row) != 0 {
            lua.pop()
            keys += 1
        }
        if keys != known {
            let set = Set(fields)
            lua.pushNil()
            while lua_next(lua.L, row) != 0 {
                lua.pop()
                let key = lua.string(at: -1) ?? lua.describe(at: -1)
                if lua.type(at: -1) != LUA_TSTRING || !set.contains(key) {
                    lua.pop()
                    throw usage(lua, "the row has a field '\(key)' that is not among the writer's fields (\(fields.joined(separator: ", ")))")
                }
            }
        }
        return values
    }

    /// nil and json.null: empty; booleans as words; integers exactly; floats in the
    /// shortest form that reads back the same.
    private static func cell(_ lua: Lua, field: String, _ usage: Usage) throws -> String {
        switch lua.type(at: -1) {
        case LUA_TNIL: return ""
        case LUA_TSTRING: return lua.string(at: -1) ?? ""
        case LUA_TBOOLEAN: return lua.boolean(at: -1) ? "true" : "false"
        case LUA_TNUMBER:
            if lua_isinteger(lua.L, -1) != 0 { return String(lua.integer(at: -1) ?? 0) }
            let number = lua.number(at: -1) ?? 0
            guard number.isFinite else { throw usage(lua, "field '\(field)': \(number) has no CSV form") }
            return "\(number)"
        case LUA_TUSERDATA where LuaJSON.isNull(lua, at: -1): return ""
        default:
            throw usage(lua, "field '\(field)': a \(lua.typeName(at: -1)) cannot be a CSV cell (give a string, number, boolean or nil)")
        }
    }

    // MARK: Helpers

    private static func registerTypes(_ lua: Lua, _ usage: @escaping Usage) {
        let readerMethods: [String: HostFunction] = [
            "read": { lua in read(lua) },
            "close": { lua in
                lua.object(at: 1, type: readerType, as: CSVRowReader.self)?.close()
                return .none
            },
        ]
        lua.registerObjectType(readerType, methods: readerMethods)
        let writerMethods: [String: HostFunction] = [
            "write": { lua in try write(lua, usage) },
            "close": closeWriter,
            "abandon": { lua in
                lua.object(at: 1, type: writerType, as: CSVRowWriter.self)?.abandon()
                return .none
            },
        ]
        lua.registerObjectType(writerType, methods: writerMethods)
    }

    private static func closeWriter(_ lua: Lua) -> HostResult {
        guard let writer = lua.object(at: 1, type: writerType, as: CSVRowWriter.self) else { return .none }
        do {
            try writer.close()
        } catch {
            return failed(lua, error.message, line: 0)
        }
        lua.push(true)
        return .one
    }

    private static func delimiterByte(_ lua: Lua, at index: Int32, _ usage: Usage) throws -> UInt8 {
        guard let text = lua.bytes(at: index) else { return UInt8(ascii: ",") }
        guard text.count == 1, text[0] < 0x80, !"\"\r\n".utf8.contains(text[0]) else {
            throw usage(lua, "delimiter must be one ASCII character other than a quote or a line break (got \"\(String(decoding: text, as: UTF8.self))\")")
        }
        return text[0]
    }

    /// The FILE* of a Lua file handle (io.open, io.stdout) at `index`, if it is one and open.
    private static func fileHandle(_ lua: Lua, at index: Int32) -> UnsafeMutablePointer<FILE>? {
        guard let raw = luaL_testudata(lua.L, index, LUA_FILEHANDLE) else { return nil }
        let stream = raw.assumingMemoryBound(to: luaL_Stream.self)
        guard stream.pointee.closef != nil else { return nil }
        return stream.pointee.f
    }

    private static func failed(_ lua: Lua, _ message: String, line: Int) -> HostResult {
        lua.push(false)
        lua.push(message)
        lua.push(Int64(line))
        return .results(3)
    }
}
