// Argument checks shared by the fused kernels (cg-scatter.cc, channel-product.cc): each throws a JS TypeError or
// RangeError whose message starts with the kernel's name, and returns false, so a caller can `return nullptr`.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <string>

namespace equimol {

// Throws "`op`: `message`" (RangeError when `range`, else TypeError) unless an exception is already pending.
inline napi_value ThrowFrom(napi_env env, const char* op, const std::string& message, bool range = false) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const std::string text = std::string(op) + ": " + message;
    if (range) napi_throw_range_error(env, nullptr, text.c_str());
    else napi_throw_type_error(env, nullptr, text.c_str());
  }
  return nullptr;
}

// `value` as a typed array of type `want` (napi_float32_array or napi_int32_array): its data and element count.
template <class T>
bool GetTypedArray(napi_env env, const char* op, napi_value value, napi_typedarray_type want, const char* name, T** data,
                   size_t* length) {
  bool is_typed = false;
  napi_typedarray_type type;
  void* raw = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok || type != want) {
    ThrowFrom(env, op, std::string(name) + (want == napi_float32_array ? " must be a Float32Array" : " must be an Int32Array"));
    return false;
  }
  if (*length > 0 && raw == nullptr) {
    ThrowFrom(env, op, std::string(name) + " has no data (detached buffer?)");
    return false;
  }
  *data = static_cast<T*>(raw);
  return true;
}

// `value` as an integer in [lo, hi].
inline bool GetBoundedInt(napi_env env, const char* op, napi_value value, const char* name, int lo, int hi, int* out) {
  int32_t v = 0;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number || napi_get_value_int32(env, value, &v) != napi_ok) {
    ThrowFrom(env, op, std::string(name) + " must be a number");
    return false;
  }
  double d = 0;
  napi_get_value_double(env, value, &d);
  if (d != static_cast<double>(v) || v < lo || v > hi) {
    ThrowFrom(env, op, std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", true);
    return false;
  }
  *out = v;
  return true;
}

// exports[name] = a function calling `callback`; false (with a JS exception pending) when that fails.
inline bool ExportFunction(napi_env env, napi_value exports, const char* name, napi_callback callback) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, nullptr, &fn) != napi_ok) return false;
  return napi_set_named_property(env, exports, name, fn) == napi_ok;
}

}  // namespace equimol
