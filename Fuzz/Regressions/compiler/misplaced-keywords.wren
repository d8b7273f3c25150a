// error: Cannot use
break
continue
this
super.x
