var map = {"a": 1}
var missing = map["b"]
missing.call(1, 2) // expect runtime error: Null does not implement 'call(_,_)'.
