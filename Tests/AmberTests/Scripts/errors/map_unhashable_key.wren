var m = {}
m["ok"] = 1
m[[1, 2]] = 2 // expect runtime error: Key must be a value type.
