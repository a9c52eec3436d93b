package dev.smoothguard.trainer.pytorch;

import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the pickle of a {@code torch.save} checkpoint as data, and only as data. Python's pickle is
 * a small stack machine whose GLOBAL + REDUCE opcodes call any function by name ({@code os.system}
 * included); this reader runs no Python and calls nothing by name: each global it meets must be on
 * a short allow-list of the names a saved state dict uses (tensor rebuilds, storage types,
 * OrderedDict), each of which it implements itself as a pure data constructor. Any other global
 * stops the read with an error that names it.
 *
 * <p>Produces: {@code Map<Object,Object>} (dict, OrderedDict), {@code List} (list), {@link Tuple},
 * {@code String}, {@code Long} or {@code BigInteger}, {@code Double}, {@code Boolean}, {@code
 * byte[]}, {@code null}, {@link Tensor} (via the storage resolver), and {@link Inert} for the one
 * allowed plain-attribute class ({@code argparse.Namespace}, which MAE/DMAE training scripts save
 * as {@code 'args'} beside the weights).
 */
final class WeightsOnlyUnpickler {
  /** An immutable Python tuple. */
  record Tuple(List<Object> items) {}

  /**
   * An instance of an allowed plain-attribute class, kept as its class name and attributes; it is
   * never constructed, so nothing of it runs. BUILD fills the attributes in place, so memo
   * references to it see them.
   */
  record Inert(String type, Map<Object, Object> attributes) {}

  /** A storage type global such as {@code torch.FloatStorage}: data, not callable. */
  record StorageType(String name, DType dtype) {}

  /** Resolves a persistent id {@code ('storage', type, key, location, numel)} to a storage. */
  interface StorageResolver {
    StorageView.Storage storage(DType dtype, String key, long numel);
  }

  /** A global on the allow-list: what REDUCE / NEWOBJ with it produce. */
  private enum Allowed {
    REBUILD_TENSOR_V2,
    REBUILD_TENSOR,
    REBUILD_PARAMETER,
    REBUILD_PARAMETER_WITH_STATE,
    ORDERED_DICT,
    NAMESPACE
  }

  private static final Map<String, Object> GLOBALS = new LinkedHashMap<>();

  static {
    GLOBALS.put("torch._utils._rebuild_tensor_v2", Allowed.REBUILD_TENSOR_V2);
    GLOBALS.put("torch._utils._rebuild_tensor", Allowed.REBUILD_TENSOR);
    GLOBALS.put("torch._utils._rebuild_parameter", Allowed.REBUILD_PARAMETER);
    GLOBALS.put("torch._utils._rebuild_parameter_with_state", Allowed.REBUILD_PARAMETER_WITH_STATE);
    GLOBALS.put("collections.OrderedDict", Allowed.ORDERED_DICT);
    GLOBALS.put("argparse.Namespace", Allowed.NAMESPACE);
    storage("FloatStorage", DType.F32);
    storage("DoubleStorage", DType.F64);
    storage("HalfStorage", DType.F16);
    storage("BFloat16Storage", DType.BF16);
    storage("LongStorage", DType.I64);
    storage("IntStorage", DType.I32);
    storage("ShortStorage", DType.I16);
    storage("CharStorage", DType.I8);
    storage("ByteStorage", DType.U8);
    storage("BoolStorage", DType.BOOL);
  }

  private static void storage(String name, DType dtype) {
    GLOBALS.put("torch." + name, new StorageType(name, dtype));
  }

  /** The globals a checkpoint may name, for error messages and the docs. */
  static Set<String> allowedGlobals() {
    return new TreeSet<>(GLOBALS.keySet());
  }

  private static final Object MARK =
      new Object() {
        @Override
        public String toString() {
          return "MARK";
        }
      };

  private final ByteBuffer in;
  private final String source;
  private final StorageResolver storages;
  private final List<Object> stack = new ArrayList<>();
  private final Deque<Integer> marks = new ArrayDeque<>();
  private final Map<Long, Object> memo = new HashMap<>();

  /**
   * @param pickle the pickle's bytes
   * @param source what to call it in errors, e.g. "model.pth (archive/data.pkl)"
   * @param storages resolves persistent ids to storages
   */
  WeightsOnlyUnpickler(byte[] pickle, String source, StorageResolver storages) {
    this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    this.source = source;
    this.storages = storages;
  }

  Object load() {
    try {
      while (true) {
        int at = in.position();
        int op = u8();
        switch (op) {
          case 0x80 -> u8(); // PROTO n
          case 0x95 -> skip(8); // FRAME: a length hint only
          case '.' -> { // STOP
            if (stack.size() != 1) throw bad("STOP with " + stack.size() + " values on the stack");
            return stack.get(0);
          }
          case '(' -> marks.push(stack.size()); // MARK
          case '0' -> pop(); // POP
          case '1' -> popMark(); // POP_MARK
          case '2' -> push(peek()); // DUP
          case 'N' -> push(null);
          case 0x88 -> push(Boolean.TRUE);
          case 0x89 -> push(Boolean.FALSE);
          case 'J' -> push((long) in.getInt()); // BININT
          case 'K' -> push((long) u8()); // BININT1
          case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
          case 0x8a -> push(longOf(bytes(u8()))); // LONG1
          case 0x8b -> push(longOf(bytes(length(in.getInt())))); // LONG4
          case 'G' ->
              push(
                  Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT, big-endian
          case 'X' -> push(utf8(length(in.getInt()))); // BINUNICODE
          case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
          case 0x8d -> push(utf8(length(in.getLong()))); // BINUNICODE8
          case 'T' -> push(latin1(length(in.getInt()))); // BINSTRING (Python 2 str)
          case 'U' -> push(latin1(u8())); // SHORT_BINSTRING
          case 'B' -> push(bytes(length(in.getInt()))); // BINBYTES
          case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
          case 0x8e, 0x96 -> push(bytes(length(in.getLong()))); // BINBYTES8, BYTEARRAY8
          case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
          case 0x85 -> push(tupleOf(1));
          case 0x86 -> push(tupleOf(2));
          case 0x87 -> push(tupleOf(3));
          case 't' -> push(new Tuple(frozen(popMark()))); // TUPLE
          case ']' -> push(new ArrayList<>()); // EMPTY_LIST
          case 'l' -> push(new ArrayList<>(popMark())); // LIST
          case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
          case 'd' -> push(dictOf(popMark())); // DICT
          case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
          case 0x91 -> push(new LinkedHashSet<>(popMark())); // FROZENSET
          case 'a' -> { // APPEND
            Object v = pop();
            listAt(peek()).add(v);
          }
          case 'e' -> { // APPENDS
            List<Object> items = popMark();
            listAt(peek()).addAll(items);
          }
          case 0x90 -> { // ADDITEMS
            List<Object> items = popMark();
            setAt(peek()).addAll(items);
          }
          case 's' -> { // SETITEM
            Object v = pop();
            Object k = pop();
            mapAt(peek()).put(k, v);
          }
          case 'u' -> { // SETITEMS
            List<Object> kv = popMark();
            Map<Object, Object> m = mapAt(peek());
            if (kv.size() % 2 != 0) throw bad("SETITEMS with an odd number of values");
            for (int i = 0; i < kv.size(); i += 2) m.put(kv.get(i), kv.get(i + 1));
          }
          case 'q' -> memo.put((long) u8(), peek()); // BINPUT
          case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek()); // LONG_BINPUT
          case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
          case 'p' -> memo.put(Long.parseLong(line()), peek()); // PUT
          case 'h' -> push(memoGet(u8())); // BINGET
          case 'j' -> push(memoGet(in.getInt() & 0xffffffffL)); // LONG_BINGET
          case 'g' -> push(memoGet(Long.parseLong(line()))); // GET
          case 'c' -> push(global(line(), line())); // GLOBAL module\nname\n
          case 0x93 -> { // STACK_GLOBAL
            Object name = pop();
            Object module = pop();
            if (!(module instanceof String m) || !(name instanceof String n))
              throw bad("STACK_GLOBAL of non-strings");
            push(global(m, n));
          }
          case 'R' -> { // REDUCE
            Object args = pop();
            push(call(pop(), args));
          }
          case 0x81 -> { // NEWOBJ
            Object args = pop();
            push(call(pop(), args));
          }
          case 0x92 -> { // NEWOBJ_EX
            Object kwargs = pop();
            Object args = pop();
            if (kwargs instanceof Map<?, ?> kw && !kw.isEmpty())
              throw bad("NEWOBJ_EX with keyword arguments");
            push(call(pop(), args));
          }
          case 'b' -> { // BUILD
            Object state = pop();
            push(build(pop(), state));
          }
          case 'Q' -> push(persistent(pop())); // BINPERSID
          case 'P' -> push(persistent(line())); // PERSID
          default ->
              throw bad(String.format("unsupported pickle opcode 0x%02x at byte %d", op, at));
        }
      }
    } catch (BufferUnderflowException | IndexOutOfBoundsException | NumberFormatException e) {
      throw bad("truncated or corrupt pickle at byte " + in.position());
    }
  }

  // ---- globals and calls: the only places a pickle could reach code, so the allow-list ----

  private Object global(String module, String name) {
    String qualified = module + "." + name;
    Object allowed = GLOBALS.get(qualified);
    if (allowed == null) {
      throw new CheckpointException(
          source
              + ": refused: the pickle calls the Python global '"
              + qualified
              + "', which a weights-only reader does not run (allowed: tensors, parameters, storages, "
              + "OrderedDict, argparse.Namespace). Save a plain state dict (torch.save(model.state_dict(), f)) "
              + "or convert it to .safetensors");
    }
    return allowed;
  }

  private Object call(Object callable, Object argsObject) {
    if (!(callable instanceof Allowed fn)) throw bad("cannot call " + callable);
    if (!(argsObject instanceof Tuple t)) throw bad("call of " + fn + " without an argument tuple");
    List<Object> args = t.items();
    return switch (fn) {
      case REBUILD_TENSOR_V2 -> {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (args.size() < 4) throw bad("_rebuild_tensor_v2 with " + args.size() + " arguments");
        yield tensor(args);
      }
      case REBUILD_TENSOR -> {
        if (args.size() != 4) throw bad("_rebuild_tensor with " + args.size() + " arguments");
        yield tensor(args);
      }
      case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
        if (args.isEmpty() || !(args.get(0) instanceof Tensor data))
          throw bad("_rebuild_parameter without a tensor");
        yield data;
      }
      case ORDERED_DICT -> {
        if (!args.isEmpty()) throw bad("OrderedDict with constructor arguments");
        yield new LinkedHashMap<>();
      }
      case NAMESPACE -> {
        if (!args.isEmpty()) throw bad("argparse.Namespace with constructor arguments");
        yield new Inert("argparse.Namespace", new LinkedHashMap<>());
      }
    };
  }

  private Object build(Object target, Object state) {
    if (target instanceof Map<?, ?> m) return m; // OrderedDict's _metadata: version info only
    if (target instanceof Inert inert) {
      // Python's BUILD: a dict state updates __dict__; (dict, slots) states are not of this class
      if (!(state instanceof Map<?, ?> attributes))
        throw bad("BUILD of " + inert.type() + " with " + describe(state));
      attributes.forEach((k, v) -> inert.attributes().put(k, v));
      return inert;
    }
    throw bad("BUILD on " + describe(target));
  }

  private Tensor tensor(List<Object> args) {
    if (!(args.get(0) instanceof StorageView.Storage storage))
      throw bad("tensor without a storage");
    long offset = asLong(args.get(1), "storage offset");
    return new StorageView(
        storage, offset, longs(args.get(2), "size"), longs(args.get(3), "stride"));
  }

  private Object persistent(Object pid) {
    // ('storage', storage_type, key, location, numel)
    if (!(pid instanceof Tuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0))) {
      throw bad("unknown persistent id " + describe(pid));
    }
    if (!(t.items().get(1) instanceof StorageType type))
      throw bad("storage of unknown type " + describe(t.items().get(1)));
    if (!(t.items().get(2) instanceof String key)) throw bad("storage key is not a string");
    if (storages == null) throw bad("a storage reference outside a torch.save archive");
    return storages.storage(type.dtype(), key, asLong(t.items().get(4), "storage size"));
  }

  // ---- stack plumbing ----

  private void push(Object o) {
    stack.add(o);
  }

  private Object pop() {
    if (stack.isEmpty() || (!marks.isEmpty() && marks.peek() == stack.size()))
      throw bad("stack underflow");
    return stack.remove(stack.size() - 1);
  }

  private Object peek() {
    if (stack.isEmpty()) throw bad("stack underflow");
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) throw bad("no MARK on the stack");
    int from = marks.pop();
    List<Object> top = stack.subList(from, stack.size());
    List<Object> items = new ArrayList<>(top);
    top.clear();
    return items;
  }

  private Tuple tupleOf(int n) {
    List<Object> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) items.add(0, pop());
    return new Tuple(frozen(items));
  }

  /** An unmodifiable copy that, unlike List.copyOf, keeps Python's None elements. */
  private static List<Object> frozen(List<Object> items) {
    return Collections.unmodifiableList(new ArrayList<>(items));
  }

  private Map<Object, Object> dictOf(List<Object> kv) {
    if (kv.size() % 2 != 0) throw bad("DICT with an odd number of values");
    Map<Object, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.size(); i += 2) m.put(kv.get(i), kv.get(i + 1));
    return m;
  }

  private Object memoGet(long key) {
    if (!memo.containsKey(key)) throw bad("memo key " + key + " used before it was set");
    return memo.get(key);
  }

  @SuppressWarnings("unchecked")
  private List<Object> listAt(Object o) {
    if (o instanceof List<?> l && !(o instanceof Tuple)) return (List<Object>) l;
    throw bad("APPEND to " + describe(o));
  }

  @SuppressWarnings("unchecked")
  private Set<Object> setAt(Object o) {
    if (o instanceof Set<?> s) return (Set<Object>) s;
    throw bad("ADDITEMS to " + describe(o));
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> mapAt(Object o) {
    if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
    throw bad("SETITEM on " + describe(o));
  }

  // ---- reading ----

  private int u8() {
    return in.get() & 0xff;
  }

  private void skip(int n) {
    in.position(in.position() + n);
  }

  private int length(long n) {
    if (n < 0 || n > in.remaining()) throw bad("length " + n + " beyond the end of the pickle");
    return (int) n;
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[length(n)];
    in.get(b);
    return b;
  }

  private String utf8(int n) {
    return new String(bytes(n), StandardCharsets.UTF_8);
  }

  private String latin1(int n) {
    return new String(bytes(n), StandardCharsets.ISO_8859_1);
  }

  /** A text line (GLOBAL's names, PUT/GET's decimals), without its newline. */
  private String line() {
    int start = in.position();
    int end = start;
    while (in.get(end) != '\n') end++;
    byte[] b = new byte[end - start];
    in.get(b);
    in.get(); // the newline
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Two's-complement little-endian integer (LONG1/LONG4). */
  private static Object longOf(byte[] le) {
    if (le.length == 0) return 0L;
    byte[] be = new byte[le.length];
    for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
    BigInteger v = new BigInteger(be);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private long asLong(Object o, String what) {
    if (o instanceof Long l) return l;
    throw bad(what + " is " + describe(o) + ", expected an int");
  }

  private long[] longs(Object o, String what) {
    if (!(o instanceof Tuple t)) throw bad(what + " is " + describe(o) + ", expected a tuple");
    long[] out = new long[t.items().size()];
    for (int i = 0; i < out.length; i++) out[i] = asLong(t.items().get(i), what);
    return out;
  }

  private static String describe(Object o) {
    return o == null ? "None" : o.getClass().getSimpleName();
  }

  private CheckpointException bad(String what) {
    return new CheckpointException(source + ": unreadable pickle: " + what);
  }
}
