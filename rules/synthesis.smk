# Synthesis: realist (CMO configurations by programme-theory component, strength of
# support), best-fit framework and narrative tables, and the logic model, all from the
# validated extraction dataset.


rule synthesise_evidence:
    input:
        dataset="results/extraction/dataset.json",
    output:
        cmo=report(
            "results/synthesis/realist_cmo.csv",
            caption="../report/synthesis_cmo.rst",
            category="Synthesis",
            labels={"table": "CMO configurations"},
        ),
        components=report(
            "results/synthesis/programme_theory.csv",
            caption="../report/synthesis_programme_theory.rst",
            category="Synthesis",
            labels={"table": "programme theory"},
        ),
        framework_coding="results/synthesis/framework_coding.csv",
        framework_themes=report(
            "results/synthesis/framework_themes.csv",
            caption="../report/synthesis_framework.rst",
            category="Synthesis",
            labels={"table": "framework themes"},
        ),
        narrative=report(
            "results/synthesis/narrative.csv",
            caption="../report/synthesis_narrative.rst",
            category="Synthesis",
            labels={"table": "narrative synthesis"},
        ),
        logic_model_edges="results/synthesis/logic_model_edges.csv",
        logic_model_svg=report(
            "results/synthesis/logic_model.svg",
            caption="../report/logic_model.rst",
            category="Synthesis",
            labels={"figure": "logic model"},
        ),
        logic_model_png="results/synthesis/logic_model.png",
        summary="results/synthesis/synthesis.json",
        audit="results/synthesis/synthesise_evidence.audit.json",
    log:
        "results/logs/synthesis/synthesise_evidence.log",
    benchmark:
        "results/benchmarks/synthesis/synthesise_evidence.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        synthesis=lookup(dpath="synthesis", within=config, default={}),
        theory_components=lookup(
            dpath="extraction/theory_components", within=config, default=[]
        ),
    script:
        "../scripts/synthesise_evidence.py"
