// Equimol xtb addon: GFN2-xTB / GFN1-xTB single points in-process through libxtb's C API (xtb.h, libxtb 6.5,
// Debian libxtb-dev), exported with plain Node-API (ABI-stable: one build serves every Node and Electron of the same
// platform and architecture).
//
// calculate({ numbers: Int32Array, positions: Float64Array (bohr, [n*3]), charge, uhf, method: 'gfn2' | 'gfn1',
//             lattice?: Float64Array (bohr, rows a, b, c, [9]), periodic?: [bool, bool, bool],
//             accuracy, maxIterations, electronicTemperature (K) })
//   -> Promise<{ energy (Eh), gradient: Float64Array [n*3] (Eh/bohr), charges: Float64Array [n] (e),
//                dipole: Float64Array [3] (e·bohr), orbitalEnergies: Float64Array [nao] (Eh),
//                occupations: Float64Array [nao], virial?: Float64Array [9] (Eh, when libxtb provides it) }>
//   A lattice is passed through to libxtb as given; the TypeScript calculator sends none (in 6.5 GFN2 refuses cells,
//   GFN1 cells gave wrong energies or no SCF convergence and a zero virial).
//   The calculation runs on a libuv worker thread (the event loop stays free); calls are serialised by one mutex,
//   since libxtb keeps Fortran module state. Any libxtb error (an SCF that does not converge, a method that does not
//   support the cell) rejects the promise with an Error carrying xtb's own message. Bad arguments throw synchronously
//   (TypeError / RangeError). Every libxtb handle is freed on every path.
// setThreads(n) / threads(): the threads libxtb may use: OpenMP (omp_set_num_threads on the worker thread before each
//   calculation; default 1) and, where libxtb runs on OpenBLAS, OpenBLAS's process-wide thread count (found with
//   dlsym, so no link to OpenBLAS). The matMul addon (matmul.cc) sets the same process-wide count; both default to 1
//   and the later call wins. Unlimited OpenBLAS threads made a 20-atom GFN2 single point 200 ms instead of 17-30 ms
//   on the loaded 2-core test machine (unlimited OpenMP threads: 1370 ms instead of 70 ms).
// apiVersion: xtb_getAPIVersion().
// cacheHits(): single points served by the cached calculator of the last molecule (CachedCalculator below).
//
// GFN-FF is not offered here: libxtb 6.5's GFN-FF setup writes gfnff_topo / gfnff_adjacency into the process's
// working directory, prints its topology to stdout whatever the verbosity, and reads a gfnff_topo left there by an
// earlier (different) molecule. The TypeScript calculator runs the xtb executable in a fresh temporary folder for it.
#include <node_api.h>
#include <xtb.h>

#include <dlfcn.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

extern "C" {
void omp_set_num_threads(int num_threads);
}

namespace {

std::mutex xtb_mutex;
std::atomic<int> omp_threads{1};

napi_value Throw(napi_env env, const std::string& message, bool range = false) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    if (range) napi_throw_range_error(env, nullptr, message.c_str());
    else napi_throw_type_error(env, nullptr, message.c_str());
  }
  return nullptr;
}

bool GetProperty(napi_env env, napi_value object, const char* name, napi_value* out, bool* present) {
  bool has = false;
  if (napi_has_named_property(env, object, name, &has) != napi_ok) return false;
  *present = false;
  if (!has) return true;
  if (napi_get_named_property(env, object, name, out) != napi_ok) return false;
  napi_valuetype type;
  napi_typeof(env, *out, &type);
  *present = type != napi_undefined && type != napi_null;
  return true;
}

bool GetNumber(napi_env env, napi_value object, const char* name, double* out, bool required) {
  napi_value value;
  bool present = false;
  if (!GetProperty(env, object, name, &value, &present)) return false;
  if (!present) {
    if (required) {
      Throw(env, std::string("xtb.calculate: ") + name + " is required");
      return false;
    }
    return true;
  }
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) {
    Throw(env, std::string("xtb.calculate: ") + name + " must be a number");
    return false;
  }
  napi_get_value_double(env, value, out);
  if (!std::isfinite(*out)) {
    Throw(env, std::string("xtb.calculate: ") + name + " must be finite", true);
    return false;
  }
  return true;
}

template <typename T>
bool GetTypedArray(napi_env env, napi_value object, const char* name, napi_typedarray_type want, const char* type_name,
                   std::vector<T>* out, bool required, bool* present) {
  napi_value value;
  if (!GetProperty(env, object, name, &value, present)) return false;
  if (!*present) {
    if (required) {
      Throw(env, std::string("xtb.calculate: ") + name + " is required");
      return false;
    }
    return true;
  }
  bool is_typed_array = false;
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t byte_offset = 0;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &byte_offset) != napi_ok || type != want) {
    Throw(env, std::string("xtb.calculate: ") + name + " must be a " + type_name);
    return false;
  }
  if (length > 0 && data == nullptr) {
    Throw(env, std::string("xtb.calculate: ") + name + " has no data (detached buffer?)");
    return false;
  }
  out->assign(static_cast<T*>(data), static_cast<T*>(data) + length);
  return true;
}

struct Job {
  // Input.
  std::vector<int> numbers;
  std::vector<double> positions;
  std::vector<double> lattice;
  bool periodic[3] = {false, false, false};
  bool has_cell = false;
  double charge = 0;
  int uhf = 0;
  int method = 2;  // 1 = GFN1-xTB, 2 = GFN2-xTB
  double accuracy = 1.0;
  int max_iterations = 250;
  double electronic_temperature = 300.0;
  // Output.
  std::string error;
  double energy = 0;
  std::vector<double> gradient, charges, dipole, orbital_energies, occupations, virial;
  bool has_virial = false;
  // Node-API.
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
};

// The error stack of the environment as one message ('' when none), emptied.
std::string TakeError(xtb_TEnvironment env) {
  if (!xtb_checkEnvironment(env)) return "";
  std::vector<char> buffer(4096, '\0');
  const int size = static_cast<int>(buffer.size());
  xtb_getError(env, buffer.data(), &size);
  std::string message(buffer.data(), strnlen(buffer.data(), buffer.size()));
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ' || message.back() == '\r')) message.pop_back();
  // One line: xtb's stack '-2- outer: ...\n-1- inner: ...' becomes '-2- outer: ...; -1- inner: ...'.
  for (size_t at = message.find('\n'); at != std::string::npos; at = message.find('\n', at + 2)) message.replace(at, 1, "; ");
  return message.empty() ? std::string("libxtb reported an error without a message") : message;
}

// The parametrised calculator of the last molecular call, kept for the next call of the same molecule and settings
// (a sampler or a relaxation calls libxtb thousands of times for one molecule): the next call only moves the atoms
// (xtb_updateMolecule) and runs the SCF from a fresh results object, so it skips reading and expanding the GFN
// parameters and the basis set (35.7 -> 25.8 ms a single point of 27-atom ephedrine, one thread). Results are the
// same to the bit as from a fresh calculator (checked on displaced geometries when written, and in
// test/calc/xtb-calculator.test.ts), since the parametrisation depends on the elements, charge and spin only. The SCF
// is never started from the previous wavefunction, so a result does not depend on the calls before it. Cells are not
// cached. Guarded by xtb_mutex; any libxtb error drops the cache.
struct CalculatorKey {
  std::vector<int> numbers;
  double charge = 0;
  int uhf = 0;
  int method = 0;
  double accuracy = 0;
  int max_iterations = 0;
  double electronic_temperature = 0;

  static CalculatorKey Of(const Job& job) {
    return {job.numbers, job.charge, job.uhf, job.method, job.accuracy, job.max_iterations, job.electronic_temperature};
  }
  bool operator==(const CalculatorKey& other) const {
    return numbers == other.numbers && charge == other.charge && uhf == other.uhf && method == other.method &&
           accuracy == other.accuracy && max_iterations == other.max_iterations &&
           electronic_temperature == other.electronic_temperature;
  }
};

struct CachedCalculator {
  xtb_TEnvironment env = nullptr;
  xtb_TCalculator calc = nullptr;
  xtb_TMolecule mol = nullptr;
  CalculatorKey key;

  bool Matches(const Job& job) const { return env != nullptr && !job.has_cell && key == CalculatorKey::Of(job); }
  void Clear() {
    if (mol) xtb_delMolecule(&mol);
    if (calc) xtb_delCalculator(&calc);
    if (env) xtb_delEnvironment(&env);
    *this = CachedCalculator();
  }
};

CachedCalculator cached;
std::atomic<long> cache_hits{0};

void Execute(napi_env, void* data) {
  Job* job = static_cast<Job*>(data);
  std::lock_guard<std::mutex> lock(xtb_mutex);
  omp_set_num_threads(omp_threads.load());
  const int n = static_cast<int>(job->numbers.size());
  bool hit = cached.Matches(*job);
  if (hit) {
    xtb_updateMolecule(cached.env, cached.mol, job->positions.data(), nullptr);
    // A geometry libxtb refuses (coincident atoms) goes through the fresh set-up below, which reports it in the same
    // words whatever the call before it was.
    hit = TakeError(cached.env).empty();
  }
  if (!hit) cached.Clear();
  xtb_TEnvironment env = hit ? cached.env : xtb_newEnvironment();
  xtb_TCalculator calc = hit ? cached.calc : xtb_newCalculator();
  xtb_TMolecule mol = hit ? cached.mol : nullptr;
  xtb_TResults res = xtb_newResults();
  bool failed = false;
  auto step = [&](const char* what) {
    std::string message = TakeError(env);
    if (message.empty()) return true;
    job->error = std::string(what) + ": " + message;
    failed = true;
    return false;
  };
  xtb_setVerbosity(env, XTB_VERBOSITY_MUTED);
  do {
    if (hit) {
      cache_hits.fetch_add(1);
    } else {
      mol = xtb_newMolecule(env, &n, job->numbers.data(), job->positions.data(), &job->charge, &job->uhf,
                            job->has_cell ? job->lattice.data() : nullptr, job->has_cell ? job->periodic : nullptr);
      if (!step("molecule")) break;
      if (job->method == 1) xtb_loadGFN1xTB(env, mol, calc, nullptr);
      else xtb_loadGFN2xTB(env, mol, calc, nullptr);
      if (!step("parametrisation")) break;
      xtb_setAccuracy(env, calc, job->accuracy);
      if (!step("accuracy")) break;
      xtb_setMaxIter(env, calc, job->max_iterations);
      if (!step("iterations")) break;
      xtb_setElectronicTemp(env, calc, job->electronic_temperature);
      if (!step("electronic temperature")) break;
    }
    xtb_singlepoint(env, mol, calc, res);
    if (!step("single point")) break;
    xtb_getEnergy(env, res, &job->energy);
    job->gradient.assign(3 * static_cast<size_t>(n), 0.0);
    xtb_getGradient(env, res, job->gradient.data());
    job->charges.assign(static_cast<size_t>(n), 0.0);
    xtb_getCharges(env, res, job->charges.data());
    job->dipole.assign(3, 0.0);
    xtb_getDipole(env, res, job->dipole.data());
    if (!step("results")) break;
    int nao = 0;
    xtb_getNao(env, res, &nao);
    if (!step("orbitals")) break;
    job->orbital_energies.assign(static_cast<size_t>(nao > 0 ? nao : 0), 0.0);
    job->occupations.assign(static_cast<size_t>(nao > 0 ? nao : 0), 0.0);
    if (nao > 0) {
      xtb_getOrbitalEigenvalues(env, res, job->orbital_energies.data());
      xtb_getOrbitalOccupations(env, res, job->occupations.data());
      if (!step("orbitals")) break;
    }
    if (job->has_cell) {
      job->virial.assign(9, 0.0);
      xtb_getVirial(env, res, job->virial.data());
      // Not every method fills the virial: then there is none (the error stack is emptied), not a failure.
      job->has_virial = TakeError(env).empty();
    }
  } while (false);
  xtb_delResults(&res);
  if (failed || job->has_cell) {
    if (hit) {
      cached.Clear();  // the handles in use are the cached ones
    } else {
      if (mol) xtb_delMolecule(&mol);
      xtb_delCalculator(&calc);
      xtb_delEnvironment(&env);
    }
  } else if (!hit) {
    cached.env = env;
    cached.calc = calc;
    cached.mol = mol;
    cached.key = CalculatorKey::Of(*job);
  }
}

napi_value NewFloat64Array(napi_env env, const std::vector<double>& values) {
  void* data = nullptr;
  napi_value buffer, array;
  napi_create_arraybuffer(env, values.size() * sizeof(double), &data, &buffer);
  if (!values.empty()) std::memcpy(data, values.data(), values.size() * sizeof(double));
  napi_create_typedarray(env, napi_float64_array, values.size(), buffer, 0, &array);
  return array;
}

void Complete(napi_env env, napi_status, void* data) {
  Job* job = static_cast<Job*>(data);
  if (!job->error.empty()) {
    napi_value message, error;
    napi_create_string_utf8(env, ("libxtb " + job->error).c_str(), NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, nullptr, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  } else {
    napi_value result, energy;
    napi_create_object(env, &result);
    napi_create_double(env, job->energy, &energy);
    napi_set_named_property(env, result, "energy", energy);
    napi_set_named_property(env, result, "gradient", NewFloat64Array(env, job->gradient));
    napi_set_named_property(env, result, "charges", NewFloat64Array(env, job->charges));
    napi_set_named_property(env, result, "dipole", NewFloat64Array(env, job->dipole));
    napi_set_named_property(env, result, "orbitalEnergies", NewFloat64Array(env, job->orbital_energies));
    napi_set_named_property(env, result, "occupations", NewFloat64Array(env, job->occupations));
    if (job->has_virial) napi_set_named_property(env, result, "virial", NewFloat64Array(env, job->virial));
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  delete job;
}

bool ParseJob(napi_env env, napi_value options, Job* job) {
  napi_valuetype type;
  if (napi_typeof(env, options, &type) != napi_ok || type != napi_object) {
    Throw(env, "xtb.calculate: expected an options object");
    return false;
  }
  bool present = false;
  if (!GetTypedArray<int32_t>(env, options, "numbers", napi_int32_array, "Int32Array", &job->numbers, true, &present)) return false;
  if (!GetTypedArray<double>(env, options, "positions", napi_float64_array, "Float64Array", &job->positions, true, &present)) return false;
  const size_t n = job->numbers.size();
  if (n == 0) return Throw(env, "xtb.calculate: no atoms", true), false;
  if (n > 100000) return Throw(env, "xtb.calculate: more than 100000 atoms", true), false;
  if (job->positions.size() != 3 * n) {
    Throw(env, "xtb.calculate: positions has " + std::to_string(job->positions.size()) + " values for " + std::to_string(n) +
                   " atoms (want " + std::to_string(3 * n) + ")", true);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    // libxtb 6.5.1 crashes the process (segmentation fault, measured for Z 87) on elements it has no parameters for.
    if (job->numbers[i] < 1 || job->numbers[i] > 86) {
      Throw(env, "xtb.calculate: atom " + std::to_string(i + 1) + " has atomic number " + std::to_string(job->numbers[i]) +
                     "; GFN-xTB covers 1 to 86", true);
      return false;
    }
  }
  for (size_t i = 0; i < 3 * n; i++) {
    if (!std::isfinite(job->positions[i])) {
      Throw(env, "xtb.calculate: atom " + std::to_string(i / 3 + 1) + " has a non-finite coordinate", true);
      return false;
    }
  }
  double charge = 0, uhf = 0, accuracy = 1.0, iterations = 250, temperature = 300;
  if (!GetNumber(env, options, "charge", &charge, false) || !GetNumber(env, options, "uhf", &uhf, false) ||
      !GetNumber(env, options, "accuracy", &accuracy, false) || !GetNumber(env, options, "maxIterations", &iterations, false) ||
      !GetNumber(env, options, "electronicTemperature", &temperature, false))
    return false;
  if (uhf < 0 || uhf != std::floor(uhf) || uhf > 1000) return Throw(env, "xtb.calculate: uhf must be a non-negative integer", true), false;
  if (iterations < 1 || iterations != std::floor(iterations) || iterations > 1e6)
    return Throw(env, "xtb.calculate: maxIterations must be a positive integer", true), false;
  if (!(accuracy >= 1e-4 && accuracy <= 1000)) return Throw(env, "xtb.calculate: accuracy must be in 0.0001 to 1000", true), false;
  if (!(temperature >= 0 && temperature <= 1e6)) return Throw(env, "xtb.calculate: electronicTemperature must be in 0 to 1e6 K", true), false;
  job->charge = charge;
  job->uhf = static_cast<int>(uhf);
  job->accuracy = accuracy;
  job->max_iterations = static_cast<int>(iterations);
  job->electronic_temperature = temperature;

  napi_value method;
  if (!GetProperty(env, options, "method", &method, &present)) return false;
  if (present) {
    char text[16] = {0};
    size_t length = 0;
    if (napi_get_value_string_utf8(env, method, text, sizeof(text), &length) != napi_ok)
      return Throw(env, "xtb.calculate: method must be a string"), false;
    if (std::strcmp(text, "gfn2") == 0) job->method = 2;
    else if (std::strcmp(text, "gfn1") == 0) job->method = 1;
    else if (std::strcmp(text, "gfnff") == 0)
      return Throw(env, "xtb.calculate: GFN-FF is not run in-process (libxtb 6.5 writes and rereads gfnff_topo in the working directory); use the xtb executable", true), false;
    else return Throw(env, std::string("xtb.calculate: unknown method '") + text + "' (gfn2, gfn1)", true), false;
  }

  if (!GetTypedArray<double>(env, options, "lattice", napi_float64_array, "Float64Array", &job->lattice, false, &present)) return false;
  if (present) {
    if (job->lattice.size() != 9) return Throw(env, "xtb.calculate: lattice must have 9 values", true), false;
    for (double x : job->lattice)
      if (!std::isfinite(x)) return Throw(env, "xtb.calculate: lattice has a non-finite value", true), false;
    job->has_cell = true;
    job->periodic[0] = job->periodic[1] = job->periodic[2] = true;
    napi_value periodic;
    bool has_periodic = false;
    if (!GetProperty(env, options, "periodic", &periodic, &has_periodic)) return false;
    if (has_periodic) {
      bool is_array = false;
      uint32_t length = 0;
      napi_is_array(env, periodic, &is_array);
      if (is_array) napi_get_array_length(env, periodic, &length);
      if (!is_array || length != 3) return Throw(env, "xtb.calculate: periodic must be an array of 3 booleans"), false;
      for (uint32_t i = 0; i < 3; i++) {
        napi_value flag;
        napi_get_element(env, periodic, i, &flag);
        if (napi_get_value_bool(env, flag, &job->periodic[i]) != napi_ok)
          return Throw(env, "xtb.calculate: periodic must be an array of 3 booleans"), false;
      }
    }
    if (!job->periodic[0] && !job->periodic[1] && !job->periodic[2]) job->has_cell = false;
  }
  return true;
}

napi_value Calculate(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 1) return Throw(env, "xtb.calculate: expected an options object");
  Job* job = new Job();
  if (!ParseJob(env, argv[0], job)) {
    delete job;
    return nullptr;
  }
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "equimol_xtb", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, nullptr, name, Execute, Complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double n = 0;
  if (argc < 1 || napi_get_value_double(env, argv[0], &n) != napi_ok) return Throw(env, "xtb.setThreads: expected a number");
  if (!(n >= 1 && n <= 1024 && n == std::floor(n))) return Throw(env, "xtb.setThreads: threads must be an integer from 1 to 1024", true);
  omp_threads.store(static_cast<int>(n));
  using SetBlasThreads = void (*)(int);
  static const SetBlasThreads set_blas_threads = reinterpret_cast<SetBlasThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set_blas_threads) set_blas_threads(static_cast<int>(n));
  return nullptr;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value value;
  napi_create_int32(env, omp_threads.load(), &value);
  return value;
}

// cacheHits(): calls served by the cached calculator since the addon loaded (tests).
napi_value CacheHits(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_double(env, static_cast<double>(cache_hits.load()), &out);
  return out;
}

void FreeCache(void*) {
  std::lock_guard<std::mutex> lock(xtb_mutex);
  cached.Clear();
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn, version;
  napi_add_env_cleanup_hook(env, FreeCache, nullptr);
  napi_create_function(env, "cacheHits", NAPI_AUTO_LENGTH, CacheHits, nullptr, &fn);
  napi_set_named_property(env, exports, "cacheHits", fn);
  napi_create_function(env, "calculate", NAPI_AUTO_LENGTH, Calculate, nullptr, &fn);
  napi_set_named_property(env, exports, "calculate", fn);
  napi_create_function(env, "setThreads", NAPI_AUTO_LENGTH, SetThreads, nullptr, &fn);
  napi_set_named_property(env, exports, "setThreads", fn);
  napi_create_function(env, "threads", NAPI_AUTO_LENGTH, Threads, nullptr, &fn);
  napi_set_named_property(env, exports, "threads", fn);
  napi_create_int32(env, xtb_getAPIVersion(), &version);
  napi_set_named_property(env, exports, "apiVersion", version);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
