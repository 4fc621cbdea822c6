"""Reads a Canvas plugin folder's Python statically and prints what its handlers serve, as JSON.

Run by the canvas-companion harness as `python3 plugin_routes.py PLUGIN_DIR`. Nothing of the
plugin is imported or run: every file is parsed with the standard library's `ast` only, so neither
the Canvas SDK nor the plugin's dependencies need to be installed.

What it finds:
- SimpleAPI handlers (`class X(StaffSessionAuthMixin, SimpleAPI)`): PREFIX, each
  `@api.get/post/put/patch/delete(path)` route, and how the class authenticates;
- SimpleAPIRoute handlers: PATH and their get/post/put/patch/delete methods;
- WebSocketAPI handlers: the channel names their `authenticate()` compares the channel with;
- routes that only render a file of the folder (`render_to_string("static/x.js")` with a content
  type, nothing else), so that the harness serves them without a line in the mock;
- whether CANVAS_MANIFEST.json lists each handler class (Canvas loads only those).
"""

import ast
import json
import os
import sys

METHODS = ("get", "post", "put", "patch", "delete")
KINDS = {"SimpleAPI": "api", "SimpleAPIRoute": "route", "WebSocketAPI": "socket"}
MIXINS = {
    "StaffSessionAuthMixin": "staff",
    "PatientSessionAuthMixin": "patient",
    "APIKeyAuthMixin": "api-key",
    "BasicAuthMixin": "basic",
}
RESPONSES = {"Response": None, "HTMLResponse": "text/html", "PlainTextResponse": "text/plain"}
SKIPPED_DIRS = {"__pycache__", "node_modules", "tests", "test"}
MAX_FILES = 2000
MAX_DEPTH = 12


def name_of(node):
    """The last name of `X` or `a.b.X`; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def string(node):
    """A string constant's value, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def body_of(function):
    """A function's statements without its docstring."""
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and string(body[0].value) is not None:
        body = body[1:]
    return body


def python_files(root):
    """The .py files under root, sorted, hidden folders and tests skipped, at most MAX_FILES."""
    found = []
    for folder, dirs, files in os.walk(root):
        depth = os.path.relpath(folder, root).count(os.sep)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS and depth < MAX_DEPTH)
        for name in sorted(files):
            if name.endswith(".py") and not name.startswith("."):
                found.append(os.path.join(folder, name))
                if len(found) >= MAX_FILES:
                    return found
    return found


def constants(tree):
    """Module-level NAME = {…} / [...] / (...) / "…" literals, for lookups such as STATIC[name]."""
    values = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) and node.value else []
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    pass
    return values


class Reader:
    """The classes of one plugin folder and what they serve."""

    def __init__(self, root):
        self.root = root
        self.classes = {}
        self.errors = []
        self.files = 0

    def read(self):
        for path in python_files(self.root):
            self.files += 1
            relative = os.path.relpath(path, self.root).replace(os.sep, "/")
            try:
                with open(path, "rb") as handle:
                    tree = ast.parse(handle.read(), filename=relative)
            except SyntaxError as error:
                self.errors.append({"file": relative, "line": error.lineno or 1, "col": error.offset or 1, "message": error.msg})
                continue
            except (OSError, ValueError, RecursionError, MemoryError) as error:
                self.errors.append({"file": relative, "line": 1, "col": 1, "message": str(error)})
                continue
            module = relative[:-3].replace("/", ".")
            if module == "__init__" or module.endswith(".__init__"):
                module = module[: -len("__init__")].rstrip(".")
            literals = constants(tree)
            for node in tree.body:
                if isinstance(node, ast.ClassDef):
                    # Same-named classes: the first one found wins (bases are looked up by name).
                    self.classes.setdefault(node.name, (node, relative, module, literals))

    def lineage(self, name, seen=None):
        """The class and its plugin-local bases, nearest first, and the SDK names they derive from."""
        seen = seen or set()
        if name in seen or name not in self.classes or len(seen) > 20:
            return [], set()
        seen.add(name)
        node = self.classes[name][0]
        chain, outside = [name], set()
        for base in node.bases:
            base_name = name_of(base)
            if base_name is None:
                continue
            if base_name in self.classes:
                more, names = self.lineage(base_name, seen)
                chain += more
                outside |= names
            else:
                outside.add(base_name)
        return chain, outside

    def attribute(self, chain, attribute):
        """A class attribute's string value (PREFIX, PATH) from the nearest class that sets it."""
        for name in chain:
            for statement in self.classes[name][0].body:
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target] if isinstance(statement, ast.AnnAssign) else []
                if any(isinstance(t, ast.Name) and t.id == attribute for t in targets):
                    return string(statement.value), True
        return None, False

    def functions(self, chain):
        """The methods of the class and its local bases, nearest definition first."""
        found = {}
        for name in chain:
            for statement in self.classes[name][0].body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name not in found:
                    found[statement.name] = (statement, name)
        return found

    def handlers(self, listed):
        result = []
        for name, (node, relative, module, literals) in self.classes.items():
            chain, outside = self.lineage(name)
            kinds = [KINDS[base] for base in outside if base in KINDS]
            if not kinds or name in KINDS:
                continue
            kind = kinds[0]
            functions = self.functions(chain)
            mixins = sorted(MIXINS[base] for base in outside if base in MIXINS)
            # A local authenticate() comes first in the method order, before any mixin's.
            own = "authenticate" in functions
            auth = "own" if own else mixins[0] if mixins else "none"
            handler = {
                "file": relative,
                "line": node.lineno,
                "class": name,
                "kind": kind,
                "listed": None if listed is None else f"{module}:{name}" in listed,
                "auth": auth,
                "routes": [],
                "channels": None,
                "problems": [],
            }
            if kind == "api":
                self.api_routes(handler, chain, functions, literals)
            elif kind == "route":
                self.route_methods(handler, chain, functions, literals)
            else:
                handler["auth"] = "own" if own else "none"
                if own:
                    handler["channels"] = channel_rules(functions["authenticate"][0])
            result.append(handler)
        return sorted(result, key=lambda h: (h["file"], h["line"]))

    def api_routes(self, handler, chain, functions, literals):
        prefix, given = self.attribute(chain, "PREFIX")
        if given and prefix is None:
            handler["problems"].append("PREFIX is not a plain string: its routes cannot be read")
            return
        prefix = prefix or ""
        for function, _owner in functions.values():
            for decorator in function.decorator_list:
                if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) and decorator.func.attr in METHODS):
                    continue
                if name_of(decorator.func.value) not in ("api", "simple_api"):
                    continue
                path = string(decorator.args[0]) if decorator.args else None
                if path is None:
                    handler["problems"].append(f"line {decorator.lineno}: @api.{decorator.func.attr}(…) has no plain string path")
                    continue
                route = {"method": decorator.func.attr.upper(), "path": prefix + path, "line": decorator.lineno, "function": function.name}
                route.update(file_only(function, literals))
                handler["routes"].append(route)

    def route_methods(self, handler, chain, functions, literals):
        path, _given = self.attribute(chain, "PATH")
        if path is None:
            handler["problems"].append("PATH is not a plain string: its routes cannot be read")
            return
        for method in METHODS:
            if method in functions:
                function = functions[method][0]
                route = {"method": method.upper(), "path": path, "line": function.lineno, "function": method}
                route.update(file_only(function, literals))
                handler["routes"].append(route)


def path_param(node, params):
    """The path parameter an expression reads: self.request.path_params["x"] (or .get("x")), or a name bound to one."""
    if isinstance(node, ast.Name) and node.id in params:
        return params[node.id]
    if isinstance(node, ast.Subscript) and name_of(node.value) == "path_params":
        return string(node.slice)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and name_of(node.func.value) == "path_params" and node.args:
        return string(node.args[0])
    return None


def rendered_file(node, params):
    """What render_to_string(...) reads: {"file": path} for a constant, {"folder", "param"} for f"dir/{name}"."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "encode" and not node.keywords:
        node = node.func.value
    if not (isinstance(node, ast.Call) and name_of(node.func) == "render_to_string" and len(node.args) == 1 and not node.keywords):
        return None
    argument = node.args[0]
    constant = string(argument)
    if constant is not None:
        return {"file": constant.lstrip("/")}
    if isinstance(argument, ast.JoinedStr) and len(argument.values) == 2:
        head, tail = argument.values
        folder = string(head)
        if folder and folder.endswith("/") and isinstance(tail, ast.FormattedValue) and tail.conversion == -1 and tail.format_spec is None:
            param = path_param(tail.value, params)
            if param:
                return {"folder": folder.strip("/"), "param": param}
    return None


def is_ok_status(node):
    return node is None or (isinstance(node, ast.Attribute) and node.attr == "OK") or (isinstance(node, ast.Constant) and node.value == 200)


def not_found_guard(statement, params, literals):
    """`if name not in NAMES: return [Response(... NOT_FOUND ...)]`: the names it lets through, else None."""
    if not (isinstance(statement, ast.If) and not statement.orelse and len(statement.body) == 1 and isinstance(statement.body[0], ast.Return)):
        return None
    test = statement.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn) and path_param(test.left, params)):
        return None
    allowed = test.comparators[0]
    names = literals.get(allowed.id) if isinstance(allowed, ast.Name) else None
    if names is None:
        try:
            names = ast.literal_eval(allowed)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
    if isinstance(names, dict):
        names = list(names)
    if not isinstance(names, (list, tuple, set, frozenset)) or not all(isinstance(n, str) for n in names):
        return None
    return sorted(names)


def file_only(function, literals):
    """{"serves": …} when the route only renders a file of the folder with a content type; else {}."""
    params = {}
    rendered = {}
    names = None
    statements = body_of(function)
    if not statements or not isinstance(statements[-1], ast.Return):
        return {}
    for statement in statements[:-1]:
        target = statement.targets[0].id if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name) else None
        if target and path_param(statement.value, params):
            params[target] = path_param(statement.value, params)
            continue
        if target and rendered_file(statement.value, params):
            rendered[target] = rendered_file(statement.value, params)
            continue
        guarded = not_found_guard(statement, params, literals)
        if guarded is None:
            return {}
        names = guarded
    value = statements[-1].value
    if isinstance(value, (ast.List, ast.Tuple)) and len(value.elts) == 1:
        value = value.elts[0]
    if not (isinstance(value, ast.Call) and name_of(value.func) in RESPONSES and len(value.args) >= 1):
        return {}
    content = value.args[0]
    serves = rendered.get(content.id) if isinstance(content, ast.Name) else rendered_file(content, params)
    if serves is None:
        return {}
    keywords = {k.arg: k.value for k in value.keywords if k.arg}
    if len(value.args) > 1 or any(k.arg is None for k in value.keywords) or not is_ok_status(keywords.get("status_code")):
        return {}
    headers = {}
    if "headers" in keywords:
        given_headers = keywords["headers"]
        try:
            headers = literals[given_headers.id] if isinstance(given_headers, ast.Name) else ast.literal_eval(given_headers)
        except (KeyError, ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return {}
        if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
            return {}
    content_type = RESPONSES[name_of(value.func)]
    content_types = None
    given = keywords.get("content_type")
    if given is not None:
        content_type = string(given)
        if content_type is None and isinstance(given, ast.Subscript) and isinstance(given.value, ast.Name) and "param" in serves and path_param(given.slice, params) == serves["param"]:
            table = literals.get(given.value.id)
            if isinstance(table, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in table.items()):
                content_types = table
                names = sorted(set(names or table) & set(table))
        if content_type is None and content_types is None:
            return {}
    lowered = {k.lower(): v for k, v in headers.items()}
    content_type = content_type or lowered.pop("content-type", None)
    if content_type is None and content_types is None:
        return {}
    if "folder" in serves:
        serves["names"] = names
    return {"serves": serves, "content_type": content_type, "content_types": content_types, "headers": lowered}


def channel_expression(node, names):
    return (isinstance(node, ast.Attribute) and node.attr == "channel" and name_of(node.value) == "websocket") or (isinstance(node, ast.Name) and node.id in names)


def placeholder(node):
    """A name for an f-string part: user.get('id') -> id, patient.id -> id, x -> x."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args and string(node.args[0]):
        return string(node.args[0])
    return name_of(node) or "value"


def pattern_of(node):
    """A channel pattern from a constant or an f-string: f"staff-{user['id']}" -> staff-<id>."""
    constant = string(node)
    if constant is not None:
        return constant
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            text = string(value)
            if text is not None:
                parts.append(text)
            elif isinstance(value, ast.FormattedValue):
                inner = value.value
                key = string(inner.slice) if isinstance(inner, ast.Subscript) else None
                parts.append(f"<{key or placeholder(inner)}>")
        return "".join(parts)
    return None


def channel_rules(function):
    """The channels authenticate() accepts by name: comparisons, prefixes and sets of the channel."""
    names = set()
    rules = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and channel_expression(node.value, names):
            names.add(node.targets[0].id)
    for node in ast.walk(function):
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right, op = node.left, node.comparators[0], node.ops[0]
            if isinstance(op, (ast.Eq, ast.NotEq)):
                other = right if channel_expression(left, names) else left if channel_expression(right, names) else None
                pattern = pattern_of(other) if other is not None else None
                if pattern:
                    rules.append({"pattern": pattern, "line": node.lineno})
            elif isinstance(op, (ast.In, ast.NotIn)) and channel_expression(left, names) and isinstance(right, (ast.Set, ast.List, ast.Tuple)):
                rules += [{"pattern": string(e), "line": node.lineno} for e in right.elts if string(e)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and channel_expression(node.func.value, names) and node.args:
            text = string(node.args[0])
            if text and node.func.attr in ("startswith", "removeprefix"):
                rules.append({"pattern": text + "<rest>", "line": node.lineno})
            elif text and node.func.attr in ("endswith", "removesuffix"):
                rules.append({"pattern": "<rest>" + text, "line": node.lineno})
        elif isinstance(node, ast.Call) and name_of(node.func) in ("fullmatch", "match") and len(node.args) >= 2 and channel_expression(node.args[1], names) and string(node.args[0]):
            rules.append({"regex": string(node.args[0]), "line": node.lineno})
    unique = []
    for rule in rules:
        if all(rule.get("pattern") != u.get("pattern") or rule.get("regex") != u.get("regex") for u in unique):
            unique.append(rule)
    return unique or None


def listed_handlers(root):
    """The handler classes CANVAS_MANIFEST.json lists, as "module.path:Class"; None when it lists none or cannot be read."""
    try:
        with open(os.path.join(root, "CANVAS_MANIFEST.json"), encoding="utf-8") as handle:
            manifest = json.load(handle)
        handlers = manifest["components"]["handlers"]
        classes = [h["class"] for h in handlers if isinstance(h, dict) and isinstance(h.get("class"), str)]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    # "<plugin>.handlers.api:Class": the module path inside the plugin folder, after the plugin's package.
    return {c.split(".", 1)[1] if "." in c.split(":", 1)[0] else c for c in classes}


def main(argv):
    if len(argv) != 2:
        print("usage: plugin_routes.py PLUGIN_DIR", file=sys.stderr)
        return 2
    root = os.path.abspath(argv[1])
    reader = Reader(root)
    reader.read()
    result = {"python": sys.version.split()[0], "files": reader.files, "errors": reader.errors, "handlers": reader.handlers(listed_handlers(root))}
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.setrecursionlimit(5000)
    sys.exit(main(sys.argv))
