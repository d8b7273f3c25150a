var f = Fn.new {
  return _field // expect error
}
