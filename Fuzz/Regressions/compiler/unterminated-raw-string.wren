// error: Unterminated raw string
var x = """abc
