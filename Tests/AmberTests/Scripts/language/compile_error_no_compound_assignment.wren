// Wren has no compound assignment operators.
var n = 1
n += 1 // expect error
