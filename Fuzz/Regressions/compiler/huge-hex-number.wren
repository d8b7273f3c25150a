// error: Number literal was too large
var x = 0xffffffffffffffffffffffffffffffffffffffff
