"""Published figures Keras cannot measure: ImageNet accuracies, competition results, how a network was trained.

Plain data with sources, no Keras.  Each family's *measurable* figures (parameters, MACs) are declared on its
:class:`~models.facts.Variant` and checked on the live model; this module holds what only the papers (and the
evaluation of trained weights) can say, beside the seed's rounded quotation of each figure.  Each record names
the zoo model whose measured figures go with it, so a question can state a paper figure and let Keras check the
measurable one beside it (``tests/test_facts_papers.py`` checks that the seed's rounded parameter and GFLOP
figures agree with the declared, live-checked ones).

Accuracies are ImageNet-1k validation, single 224 crop (299 for Inception-v3), in percent.  torchvision's
``acc@1`` is the number most tables (and the seed) quote; where the paper's differs, both are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import Fact


@dataclass(frozen=True)
class SeedFigures:
    """One row of the seed's architecture table: its rounded figures and where they come from."""

    title: str
    year: int
    model: str
    """The zoo model whose declared (live-checked) parameters and MACs the row's figures describe."""
    top1: Fact
    """ImageNet top-1 accuracy in %, as the seed quotes it (the fact's note gives the unrounded source figure)."""
    params_m: Fact | None = None
    """Parameters in millions as the seed quotes them (trainable weights, torchvision's convention)."""
    gflops: Fact | None = None
    """The seed's 'GFLOPs': multiply-accumulates in billions (torchvision's and the papers' convention)."""


SEED_TABLE: dict[str, SeedFigures] = {
    "alexnet": SeedFigures(
        "AlexNet",
        2012,
        "alexnet",
        top1=Fact(
            56.5,
            "torchvision AlexNet_Weights.IMAGENET1K_V1: acc@1 56.522; seed: 'Top-1 = 56.5%'",
            note="torchvision's one-tower AlexNet (Krizhevsky 2014); the 2012 paper reports top-1 error 37.5 % on "
            "the ILSVRC-2010 test set, with its own multi-crop evaluation",
        ),
        params_m=Fact(61.1, "torchvision AlexNet_Weights.IMAGENET1K_V1: num_params 61,100,840 (seed: '60 M')"),
        gflops=Fact(0.71, "torchvision AlexNet_Weights.IMAGENET1K_V1: GFLOPS 0.71"),
    ),
    "vgg19": SeedFigures(
        "VGG-19",
        2014,
        "vgg19",
        top1=Fact(
            74.2,
            "torchvision VGG19_BN_Weights.IMAGENET1K_V1: acc@1 74.218; seed: 'top-1 74.2%'",
            note="the seed's 74.2 % is VGG-19 *with BatchNorm* (torchvision vgg19_bn, 143,678,248 parameters); the "
            "plain VGG-19 of the paper and of our zoo scores 72.376 (VGG19_Weights.IMAGENET1K_V1)",
        ),
        params_m=Fact(143.7, "Simonyan & Zisserman 2014, Table 2: 144 M; torchvision vgg19 num_params 143,667,240"),
        gflops=Fact(19.6, "torchvision VGG19_Weights.IMAGENET1K_V1: GFLOPS 19.63; seed: '19.6 GFLOPs'"),
    ),
    "inception_v3": SeedFigures(
        "Inception-v3",
        2015,
        "inception_v3",
        top1=Fact(77.3, "torchvision Inception_V3_Weights.IMAGENET1K_V1: acc@1 77.294 (299×299); seed: '77.3%'"),
        params_m=Fact(
            27.2,
            "torchvision Inception_V3_Weights.IMAGENET1K_V1: num_params 27,161,264; seed: '27.2 M'",
            note="includes the auxiliary classifier; Keras' InceptionV3 has none (23,851,784)",
        ),
        gflops=Fact(5.71, "torchvision Inception_V3_Weights.IMAGENET1K_V1: GFLOPS 5.71; seed: '5.71 GFLOPs'"),
    ),
    "resnet50": SeedFigures(
        "ResNet-50",
        2015,
        "resnet50_v1_5",
        top1=Fact(76.1, "torchvision ResNet50_Weights.IMAGENET1K_V1: acc@1 76.13; seed: '76.1%'"),
        params_m=Fact(25.6, "torchvision ResNet50_Weights.IMAGENET1K_V1: num_params 25,557,032; seed: '25.6 M'"),
        gflops=Fact(
            4.09,
            "torchvision ResNet50_Weights.IMAGENET1K_V1: GFLOPS 4.09; seed: '4.09 GFLOPs'",
            note="torchvision's v1.5 (stride in the 3×3); the paper's v1 is 3.86 G (Keras' ResNet50)",
        ),
    ),
    "densenet161": SeedFigures(
        "DenseNet-161",
        2016,
        "densenet161",
        top1=Fact(77.1, "torchvision DenseNet161_Weights.IMAGENET1K_V1: acc@1 77.138; seed: '77.1%'"),
        params_m=Fact(28.7, "torchvision DenseNet161_Weights.IMAGENET1K_V1: num_params 28,681,000; seed: '28.7 M'"),
        gflops=Fact(7.73, "torchvision DenseNet161_Weights.IMAGENET1K_V1: GFLOPS 7.73; seed: '7.73 GFLOPs'"),
    ),
    "mobilenet_v1": SeedFigures(
        "MobileNet-v1",
        2017,
        "mobilenet_v1",
        top1=Fact(70.6, "Howard et al. 2017, Table 8: 1.0 MobileNet-224, 70.6 % ImageNet accuracy; seed: '~70% top-1'"),
        params_m=Fact(4.2, "Howard et al. 2017, Table 8: 4.2 million parameters; seed: '4.2 M'"),
        gflops=Fact(0.569, "Howard et al. 2017, Table 8: 569 million mult-adds"),
    ),
    "efficientnet_b0": SeedFigures(
        "EfficientNet-B0",
        2019,
        "efficientnet_b0",
        top1=Fact(77.7, "torchvision EfficientNet_B0_Weights.IMAGENET1K_V1: acc@1 77.692; seed: '77.7%'"),
        params_m=Fact(5.3, "Tan & Le 2019, Table 2: 5.3 M; torchvision num_params 5,288,548; seed: '5.3 M'"),
        gflops=Fact(0.39, "Tan & Le 2019, Table 2: 0.39 B FLOPs; torchvision GFLOPS 0.39; seed: '0.39 GFLOPs'"),
    ),
}

ALEXNET: dict[str, Fact] = {
    "top5_error": Fact(
        15.3,
        "Krizhevsky et al. 2012, abstract: ILSVRC-2012 winning top-5 test error 15.3 %; seed: '16%'",
        note="an ensemble of 7 CNNs (one network: 18.2 %); the seed rounds to 16 %",
    ),
    "runner_up_top5_error": Fact(
        26.2, "Krizhevsky et al. 2012, abstract: 26.2 % for the second-best entry; seed: '26%'"
    ),
    "gpus": Fact(
        2,
        "Krizhevsky et al. 2012, sec. 3.2: the net is spread across two GTX 580 GPUs (3 GB each)",
        note="each GPU holds half the kernels of every layer; conv2, conv4 and conv5 only see their own GPU's maps "
        "(in Keras: groups=2, which the zoo's alexnet_2gpu builds)",
    ),
    "dropout": Fact(0.5, "Krizhevsky et al. 2012, sec. 4.2: dropout with probability 0.5 in the first two FC layers"),
    "relu_speedup": Fact(
        6,
        "Krizhevsky et al. 2012, sec. 3.1 and Fig. 1: a ReLU net reaches 25 % CIFAR-10 training error six times "
        "faster than the same net with tanh",
    ),
    "augmentation": Fact(
        ("random 224×224 crops", "horizontal flips", "PCA colour jitter"),
        "Krizhevsky et al. 2012, sec. 4.1: translations and horizontal reflections (random 224×224 patches of the "
        "256×256 images), and altered RGB intensities (PCA on the pixel values)",
    ),
    "layers": Fact((5, 3), "Krizhevsky et al. 2012, sec. 3.5: eight learned layers, five convolutional and three FC"),
    "params_m": Fact(60, "Krizhevsky et al. 2012, sec. 4: 'Our neural network architecture has 60 million parameters'"),
}

SENET: dict[str, Fact] = {
    "resnet50_top1_error": Fact(
        24.80, "Hu et al. 2018, Table 2: ResNet-50 (re-implementation) top-1 error 24.80 %, top-5 7.48 %"
    ),
    "se_resnet50_top1_error": Fact(
        23.29,
        "Hu et al. 2018, Table 2: SE-ResNet-50 top-1 error 23.29 % (−1.51), top-5 6.62 %; seed: '+1% top-1'",
        note="the seed's '+1%' rounds the 1.51-point gain down; the original ResNet-50 (24.7 %) gives 1.41",
    ),
    "resnet50_gflops": Fact(3.86, "Hu et al. 2018, Table 2: ResNet-50 3.86 GFLOPs"),
    "se_resnet50_gflops": Fact(3.87, "Hu et al. 2018, Table 2: SE-ResNet-50 3.87 GFLOPs; seed: 'almost free'"),
}

LENET: dict[str, Fact] = {
    "template": Fact(
        ("conv", "pool", "conv", "pool", "fc", "fc", "fc"),
        "LeCun et al. 1998, sec. II.B (C1, S2, C3, S4, C5, F6, output); seed: 'conv → pool → conv → pool → flatten "
        "→ FC → softmax'",
        note="C5 is a 5×5 conv on a 5×5 map, i.e. a dense layer on the flattened 400 features",
    ),
    "mnist_error": Fact(
        0.95, "LeCun et al. 1998, sec. III.C: LeNet-5 test error 0.95 % on MNIST (0.8 % with distortions)"
    ),
}

__all__ = ["ALEXNET", "LENET", "SEED_TABLE", "SENET", "SeedFigures"]
