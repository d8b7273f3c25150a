// The io module's File class (as in Wren CLI): create, write, read, sizes,
// offsets, stat, flags, delete. Works in a temporary file of its own.
import "io" for File, FileFlags, Stat
import "os" for Process

var path = "/tmp/amber_io_file_%(Process.pid).txt"
if (File.exists(path)) File.delete(path)

var file = File.create(path)
System.print(file is File) // expect: true
System.print(file.isOpen) // expect: true
System.print(file.descriptor is Num && file.descriptor > 2) // expect: true
System.print(file.size) // expect: 0
System.print(file.writeBytes("hello")) // expect: null
file.writeBytes(" world")
System.print(file.size) // expect: 11
file.writeBytes("J", 6)
System.print(file.close()) // expect: null
System.print(file.isOpen) // expect: false
System.print(file.descriptor) // expect: -1
file.close()

System.print(File.exists(path)) // expect: true
System.print(File.size(path)) // expect: 11
System.print(File.read(path)) // expect: hello Jorld

// Reads are by offset from the start; past the end they come back short.
File.open(path) {|f|
  System.print(f.readBytes(5)) // expect: hello
  System.print(f.readBytes(5)) // expect: hello
  System.print(f.readBytes(3, 6)) // expect: Jor
  System.print(f.readBytes(100, 6)) // expect: Jorld
  System.print(f.readBytes(10, 50).count) // expect: 0
  System.print(f.readBytes(0).count) // expect: 0
}

// The block form returns the block's value and closes the file.
var kept
System.print(File.open(path) {|f|
  kept = f
  return f.readBytes(2)
}) // expect: he
System.print(kept.isOpen) // expect: false

// Errors inside the block still close the file, then propagate.
var error = Fiber.new {
  File.open(path) {|f|
    kept = f
    Fiber.abort("inside")
  }
}.try()
System.print(error) // expect: inside
System.print(kept.isOpen) // expect: false

// Read-write without truncation keeps the contents.
var rw = File.openWithFlags(path, FileFlags.readWrite)
rw.writeBytes("H", 0)
System.print(rw.readBytes(11)) // expect: Hello Jorld
rw.close()

// Exclusive creation fails on an existing file.
System.print(Fiber.new {
  File.openWithFlags(path, FileFlags.writeOnly | FileFlags.create | FileFlags.exclusive)
}.try()) // expect: file already exists

// Writing to a read-only file is an OS error.
File.open(path) {|f|
  System.print(Fiber.new { f.writeBytes("x", 0) }.try()) // expect: bad file descriptor
}

// Bytes, not characters: invalid UTF-8 and NUL round-trip.
File.create(path) {|f| f.writeBytes("a\0b\xff") }
var bytes = File.read(path).bytes.toList
System.print(bytes) // expect: [97, 0, 98, 255]

var stat = Stat.path(path)
System.print(stat.isFile) // expect: true
System.print(stat.isDirectory) // expect: false
System.print(stat.size) // expect: 4
System.print(stat.linkCount) // expect: 1
System.print(stat.mode & 0x1ff) // expect: 384
File.open(path) {|f|
  var s = f.stat
  System.print(s is Stat) // expect: true
  System.print(s.inode == stat.inode && s.device == stat.device) // expect: true
}

System.print(File.realPath(path).endsWith("amber_io_file_%(Process.pid).txt")) // expect: true
System.print(File.realPath("/tmp/./")) // expect: /tmp

System.print(FileFlags.readOnly) // expect: 1
System.print(FileFlags.writeOnly) // expect: 2
System.print(FileFlags.readWrite) // expect: 4
System.print(FileFlags.sync) // expect: 8
System.print(FileFlags.create) // expect: 16
System.print(FileFlags.truncate) // expect: 32
System.print(FileFlags.exclusive) // expect: 64

System.print(File.delete(path)) // expect: null
System.print(File.exists(path)) // expect: false
System.print(Fiber.new { File.delete(path) }.try()) // expect: no such file or directory
System.print(Fiber.new { File.size(path) }.try()) // expect: no such file or directory
System.print(Fiber.new { Stat.path(path) }.try()) // expect: no such file or directory

// Directories are not files.
System.print(File.exists("/tmp")) // expect: false
