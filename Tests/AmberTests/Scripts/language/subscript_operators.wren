class Grid {
  construct new(width, height) {
    _width = width
    _cells = List.filled(width * height, ".")
  }

  [x, y] { _cells[y * _width + x] }
  [x, y]=(value) { _cells[y * _width + x] = value }

  [row] { _cells[row * _width..(row + 1) * _width - 1].join() }
}

var g = Grid.new(3, 2)
g[0, 0] = "#"
g[2, 1] = "@"
System.print(g[0, 0]) // expect: #
System.print(g[1, 0]) // expect: .
System.print(g[0]) // expect: #..
System.print(g[1]) // expect: ..@
System.print(g[1, 1] = "x") // expect: x
System.print(g[1]) // expect: .x@
